using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Runner;

namespace SafeMigrations.Build.Tests;

/// <summary>
/// Each command takes only the options it uses (read from the engine: MigrationEngine.*, VerifyCommand, ScriptCommand,
/// StatsCommand); an option it would ignore is refused before anything runs, and the MSBuild targets never pass one.
/// </summary>
public class CommandOptionsTests
{
    // What each command really reads. status lists every migration whatever the phase or target; rollback undoes
    // expand steps down to its target; plan runs no blocking statement; verify replays all phases on throwaway databases
    // with its own timeouts; stats loads no DbContext.
    [Theory]
    [InlineData("plan", "assembly connection context phase target statement-timeout report statistics")]
    [InlineData("apply", "assembly connection context phase target lock-timeout lock-retries statement-timeout report index-wait-timeout accept-edited contract-gate contract-gate-window max-replica-lag max-replica-lag-time latency-probe latency-factor max-pacing-pause backfill-workers")]
    [InlineData("status", "assembly connection context statement-timeout report")]
    [InlineData("rollback", "assembly connection context target lock-timeout lock-retries statement-timeout report")]
    [InlineData("verify", "assembly connection context target lock-timeout report statistics lock-budget sarif data-change-share time-zone start-after")]
    [InlineData("script", "assembly connection context lock-timeout output from to")]
    [InlineData("stats", "assembly connection statement-timeout output interval")]
    public void Each_command_takes_exactly_the_options_it_uses(string command, string options)
    {
        Assert.Equal(options.Split(' ').OrderBy(o => o, StringComparer.Ordinal), RunnerProtocol.CommandOptions.Of(command).OrderBy(o => o, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("status", "--contract-gate", "skip", "apply takes it")]
    [InlineData("status", "--phase", "Contract", "plan and apply take it")]
    [InlineData("status", "--target", "Initial", "plan, apply, rollback and verify take it")]
    [InlineData("status", "--lock-timeout", "500", "apply, rollback, verify and script take it")]
    [InlineData("status", "--lock-retries", "3", "apply and rollback take it")]
    [InlineData("rollback", "--accept-edited", "20240101000000_Initial", "apply takes it")]
    [InlineData("rollback", "--phase", "Expand", "plan and apply take it")]
    [InlineData("rollback", "--index-wait-timeout", "1000", "apply takes it")]
    [InlineData("rollback", "--contract-gate", "skip", "apply takes it")]
    [InlineData("rollback", "--backfill-workers", "2", "apply takes it")]
    [InlineData("plan", "--index-wait-timeout", "1000", "apply takes it")]
    [InlineData("plan", "--lock-timeout", "500", "apply, rollback, verify and script take it")]
    [InlineData("plan", "--lock-retries", "3", "apply and rollback take it")]
    [InlineData("plan", "--accept-edited", "20240101000000_Initial", "apply takes it")]
    [InlineData("verify", "--lock-retries", "3", "apply and rollback take it")]
    [InlineData("verify", "--statement-timeout", "1000", "plan, apply, status, rollback and stats take it")]
    [InlineData("verify", "--phase", "All", "plan and apply take it")]
    [InlineData("stats", "--context", "ShopContext", "plan, apply, status, rollback, verify and script take it")]
    public void An_option_the_command_would_ignore_is_refused_with_SM1001_before_anything_runs(string command, string option, string value, string takers)
    {
        var output = new StringWriter();
        bool loaded = false;

        int exit = RunnerCommand.Run(new[] { command, "--assembly", "app.dll", option, value }, _ => loaded = true, output, default);

        Assert.Equal(RunnerProtocol.ExitFailure, exit);
        Assert.False(loaded, "an app was loaded before the refusal");
        // One line: the refusal, naming the option, the command and the commands that take it; no "target:" line before it.
        string line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {EngineCodes.Configuration}: unknown option '{option}' for {command} ({takers}); usage: ", line, StringComparison.Ordinal);
    }

    /// <summary>Project-wide settings, as a deploy pipeline sets them for apply: <c>-p:SafeMigrationsAcceptEdited=...</c> and the rest.</summary>
    private static readonly Dictionary<string, string> ApplySettings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SafeMigrationsPhase"] = "Contract",
        ["SafeMigrationsTarget"] = "20240101000000_Initial",
        ["SafeMigrationsContext"] = "ShopContext",
        ["SafeMigrationsLockTimeout"] = "1500",
        ["SafeMigrationsLockRetries"] = "4",
        ["SafeMigrationsStatementTimeout"] = "60000",
        ["SafeMigrationsIndexWaitTimeout"] = "0",
        ["SafeMigrationsAcceptEdited"] = "20240101000000_Initial",
        ["SafeMigrationsContractGate"] = "skip",
        ["SafeMigrationsContractGateWindow"] = "5000",
        ["SafeMigrationsMaxReplicaLag"] = "16",
        ["SafeMigrationsMaxReplicaLagTime"] = "2000",
        ["SafeMigrationsLatencyProbe"] = "select-1",
        ["SafeMigrationsLatencyFactor"] = "3",
        ["SafeMigrationsMaxPacingPause"] = "60000",
        ["SafeMigrationsBackfillWorkers"] = "2",
        ["SafeMigrationsLockBudget"] = "200",
        ["SafeMigrationsDataChangeShare"] = "0.5",
        ["SafeMigrationsTimeZone"] = "UTC",
        ["SafeMigrationsStartAfter"] = "20240101000000_Initial",
        ["SafeMigrationsStatsInterval"] = "0",
        ["_SafeMigrationsReportPath"] = "report.md",
        ["_SafeMigrationsStatisticsFileIfExists"] = "stats.json",
    };

    public static TheoryData<string> TargetCommands() => new TheoryData<string>(TaskCalls().Select(c => (string)c.Attribute("Command")!));

    [Theory]
    [MemberData(nameof(TargetCommands))]
    public void With_the_apply_settings_set_project_wide_every_target_passes_a_command_line_the_runner_takes(string command)
    {
        string[] arguments = RunnerArguments(TaskFromTarget(command, ApplySettings));

        var (_, options) = RunnerCommand.Parse(arguments);

        Assert.All(options.Keys, o => Assert.True(RunnerProtocol.CommandOptions.Takes(command, o), o));
        if (command != RunnerProtocol.Commands.Apply)
        {
            Assert.DoesNotContain(RunnerProtocol.Options.AcceptEdited, options.Keys);
            Assert.DoesNotContain(RunnerProtocol.Options.ContractGate, options.Keys);
        }
    }

    [Fact]
    public void Status_gets_neither_the_phase_nor_the_target_nor_the_lock_settings_and_plan_no_lock_timeout()
    {
        var (_, status) = RunnerCommand.Parse(RunnerArguments(TaskFromTarget(RunnerProtocol.Commands.Status, ApplySettings)));
        var (_, plan) = RunnerCommand.Parse(RunnerArguments(TaskFromTarget(RunnerProtocol.Commands.Plan, ApplySettings)));
        var (_, rollback) = RunnerCommand.Parse(RunnerArguments(TaskFromTarget(RunnerProtocol.Commands.Rollback, ApplySettings)));

        Assert.Equal(new[] { "assembly", "context", "report", "statement-timeout" }, status.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new[] { "assembly", "context", "phase", "report", "statement-timeout", "statistics", "target" }, plan.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new[] { "assembly", "context", "lock-retries", "lock-timeout", "report", "statement-timeout", "target" }, rollback.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TargetCommands))]
    public void Every_setting_a_target_hands_the_task_reaches_the_runner(string command)
    {
        // A target attribute the task then drops would say the command uses a setting it ignores.
        SafeMigrationsTask task = TaskFromTarget(command, ApplySettings.Keys.ToDictionary(k => k, k => "value-of-" + k.TrimStart('_')));
        string commandLine = string.Join(" ", RunnerArguments(task));

        foreach (XAttribute attribute in TaskCalls().Single(c => (string?)c.Attribute("Command") == command).Attributes())
        {
            foreach (Match property in Regex.Matches(attribute.Value, @"\$\((\w+)\)"))
            {
                if (ApplySettings.ContainsKey(property.Groups[1].Value))
                    Assert.Contains("value-of-" + property.Groups[1].Value.TrimStart('_'), commandLine, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The task as MSBuild creates it for the target of <paramref name="command"/>: each <c>$(Property)</c> replaced by its value, unset ones by nothing.</summary>
    private static SafeMigrationsTask TaskFromTarget(string command, IReadOnlyDictionary<string, string> properties)
    {
        XElement call = TaskCalls().Single(e => (string?)e.Attribute("Command") == command);
        var task = new SafeMigrationsTask { Command = command, Assembly = "app.dll", RunnerPath = RunnerProtocolTests.RunnerPath };
        foreach (XAttribute attribute in call.Attributes())
        {
            PropertyInfo? property = typeof(SafeMigrationsTask).GetProperty(attribute.Name.LocalName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly);
            if (property is null || property.PropertyType != typeof(string) || property.Name is "Command" or "Assembly" or "RunnerPath" or "Connection" or "WorkingDirectory" or "RuntimeFrameworkVersion")
                continue;
            property.SetValue(task, Regex.Replace(attribute.Value, @"\$\((\w+)\)", m => properties.TryGetValue(m.Groups[1].Value, out string? value) ? value : string.Empty));
        }

        return task;
    }

    private static IEnumerable<XElement> TaskCalls() => RunnerProtocolTests.TaskCalls();

    private static string[] RunnerArguments(SafeMigrationsTask task) => RunnerProtocolTests.RunnerArguments(task);
}
