using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using SafeMigrations.Build;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Runner;

namespace SafeMigrations.Build.Tests;

/// <summary>
/// The MSBuild task and the runner share src/Shared/RunnerProtocol.cs; these tests fail when the two ends still
/// disagree: an option the task passes that the runner refuses for that command, a line the runner writes that the
/// task reads as something else, a target that runs a command the task does not take.
/// </summary>
public class RunnerProtocolTests
{
    internal const string RunnerPath = "runner.dll";

    /// <summary>The task's properties that say how to start the runner, not what to tell it.</summary>
    private static readonly string[] NotForTheRunner =
    {
        nameof(SafeMigrationsTask.Command), nameof(SafeMigrationsTask.Assembly), nameof(SafeMigrationsTask.RunnerPath),
        nameof(SafeMigrationsTask.DepsFile), nameof(SafeMigrationsTask.RuntimeConfig), nameof(SafeMigrationsTask.RuntimeFrameworkVersion),
        nameof(SafeMigrationsTask.Connection), nameof(SafeMigrationsTask.WorkingDirectory),
    };

    public static TheoryData<string> TargetCommands()
    {
        var data = new TheoryData<string>();
        foreach (XElement call in TaskCalls())
        {
            data.Add((string)call.Attribute(nameof(SafeMigrationsTask.Command))!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TargetCommands))]
    public void Every_option_a_target_passes_is_one_the_runner_takes_for_that_command(string command)
    {
        string[] runnerArguments = RunnerArguments(TaskAsTheTargetCallsIt(command));

        // Throws SM1001 "unknown option ... for <command>" when the runner does not take one.
        var (parsedCommand, options) = RunnerCommand.Parse(runnerArguments);

        Assert.Equal(command, parsedCommand);
        string[] passed = OptionsIn(runnerArguments).ToArray();
        Assert.Equal(passed.OrderBy(n => n, StringComparer.Ordinal), options.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Contains(RunnerProtocol.Options.Assembly, passed);
    }

    [Theory]
    [MemberData(nameof(TargetCommands))]
    public void With_every_property_set_the_task_passes_only_options_the_runner_takes_for_that_command(string command)
    {
        // A project that sets every SafeMigrations property and calls the task for its own target (the task is public):
        // SafeMigrationsPhase must not break the stats snapshot.
        string[] runnerArguments = RunnerArguments(TaskWithEveryProperty(command));

        var (_, options) = RunnerCommand.Parse(runnerArguments);

        Assert.Equal(OptionsIn(runnerArguments).OrderBy(n => n, StringComparer.Ordinal), options.Keys.OrderBy(n => n, StringComparer.Ordinal));
        // And all of them, from the same table: the connection travels in the environment only.
        Assert.Equal(
            RunnerProtocol.CommandOptions.Of(command).Where(o => o != RunnerProtocol.Options.Connection).OrderBy(n => n, StringComparer.Ordinal),
            options.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_runner_option_is_reachable_from_the_targets_but_the_connection_and_the_script_range()
    {
        var passed = new HashSet<string>(StringComparer.Ordinal);
        foreach (XElement call in TaskCalls())
        {
            passed.UnionWith(OptionsIn(RunnerArguments(TaskAsTheTargetCallsIt((string)call.Attribute(nameof(SafeMigrationsTask.Command))!))));
        }

        // The connection travels in the environment only; script (with --from/--to) is a command-line command.
        var expected = OptionNames().Except(new[] { RunnerProtocol.Options.Connection, RunnerProtocol.Options.From, RunnerProtocol.Options.To });
        Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), passed.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void The_apply_target_passes_SafeMigrationsBackfillWorkers_as_backfill_workers()
    {
        XElement apply = TaskCalls().Single(e => (string?)e.Attribute(nameof(SafeMigrationsTask.Command)) == RunnerProtocol.Commands.Apply);
        Assert.Equal("$(SafeMigrationsBackfillWorkers)", (string?)apply.Attribute(nameof(SafeMigrationsTask.BackfillWorkers)));

        string[] runnerArguments = RunnerArguments(TaskAsTheTargetCallsIt(RunnerProtocol.Commands.Apply));
        int option = Array.IndexOf(runnerArguments, RunnerProtocol.OptionPrefix + RunnerProtocol.Options.BackfillWorkers);
        Assert.True(option >= 0, string.Join(" ", runnerArguments));
        Assert.Equal("value-of-" + nameof(SafeMigrationsTask.BackfillWorkers), runnerArguments[option + 1]);
        Assert.DoesNotContain(TaskCalls(), e => (string?)e.Attribute(nameof(SafeMigrationsTask.Command)) != RunnerProtocol.Commands.Apply && e.Attribute(nameof(SafeMigrationsTask.BackfillWorkers)) is not null);
    }

    [Fact]
    public void The_task_takes_the_commands_of_the_targets_and_the_runner_takes_them_all()
    {
        string[] targetCommands = TaskCalls().Select(e => (string)e.Attribute(nameof(SafeMigrationsTask.Command))!).ToArray();

        Assert.Equal(CommandsOfTheTask().OrderBy(c => c, StringComparer.Ordinal), targetCommands.OrderBy(c => c, StringComparer.Ordinal));
        Assert.All(CommandsOfTheTask(), c => Assert.Contains(c, RunnerProtocol.Commands.All));
    }

    [Theory]
    [InlineData(EngineMessageLevel.Info, null, RunnerLineKind.Info)]
    [InlineData(EngineMessageLevel.Progress, null, RunnerLineKind.Progress)]
    [InlineData(EngineMessageLevel.Warning, EngineCodes.CannotBeMadeSafe, RunnerLineKind.Warning)]
    [InlineData(EngineMessageLevel.Error, EngineCodes.LockRetriesExhausted, RunnerLineKind.Error)]
    public void Every_line_the_runner_writes_is_read_back_with_its_kind_code_and_message(EngineMessageLevel level, string? code, RunnerLineKind kind)
    {
        var output = new StringWriter();
        new LineLog(output).Write(level, code, "20240101000000_AddIndex step 3 (create index \"IX_a\" concurrently): what happened;\nwhat to do");

        RunnerLine line = RunnerLine.Parse(output.ToString().TrimEnd('\n'));

        Assert.Equal(kind, line.Kind);
        Assert.Equal(code, line.Code);
        Assert.Equal("20240101000000_AddIndex step 3 (create index \"IX_a\" concurrently): what happened; what to do", line.Message);
    }

    [Fact]
    public void An_error_line_without_a_code_gets_the_step_failure_code()
    {
        var output = new StringWriter();
        new LineLog(output).Write(EngineMessageLevel.Error, null, "something broke");

        RunnerLine line = RunnerLine.Parse(output.ToString().TrimEnd('\n'));

        Assert.Equal(RunnerLineKind.Error, line.Kind);
        Assert.Equal(EngineCodes.StepFailed, line.Code);
    }

    [Fact]
    public void The_codes_the_task_writes_itself_are_the_engines()
    {
        Assert.Equal(EngineCodes.Configuration, RunnerProtocol.Codes.Configuration);
        Assert.Equal(EngineCodes.StepFailed, RunnerProtocol.Codes.StepFailed);
        Assert.Equal(EngineCodes.NotFound, RunnerProtocol.Codes.NotFound);
    }

    [Fact]
    public void The_usage_names_every_command_and_option()
    {
        Assert.All(RunnerProtocol.Commands.All, c => Assert.Contains(c, RunnerCommand.Usage, StringComparison.Ordinal));
        Assert.All(OptionNames(), o => Assert.Contains(RunnerProtocol.OptionPrefix + o + " ", RunnerCommand.Usage, StringComparison.Ordinal));
    }

    public static TheoryData<string> RunnerCommands() => new TheoryData<string>(RunnerProtocol.Commands.All);

    [Theory]
    [MemberData(nameof(RunnerCommands))]
    public void The_runner_takes_for_each_command_exactly_the_options_of_the_table_and_names_who_takes_the_others(string command)
    {
        foreach (string option in OptionNames())
        {
            string[] arguments = { command, RunnerProtocol.OptionPrefix + option, "value" };
            if (RunnerProtocol.CommandOptions.Takes(command, option))
            {
                Assert.Equal("value", RunnerCommand.Parse(arguments).Options[option]);
                continue;
            }

            var refused = Assert.Throws<EngineException>(() => RunnerCommand.Parse(arguments));
            Assert.Equal(EngineCodes.Configuration, refused.Code);
            IReadOnlyList<string> takers = RunnerProtocol.CommandOptions.TakenBy(option);
            Assert.NotEmpty(takers);
            Assert.StartsWith($"unknown option '--{option}' for {command} ({CommandLineText.Listed(takers)} take", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_option_no_command_takes_is_refused_without_naming_a_command_and_a_secret_is_not_repeated()
    {
        var unknown = Assert.Throws<EngineException>(() => RunnerCommand.Parse(new[] { "apply", "--phasee", "Expand" }));
        Assert.Equal(EngineCodes.Configuration, unknown.Code);
        Assert.StartsWith("unknown option '--phasee'; usage: SafeMigrations.Runner ", unknown.Message, StringComparison.Ordinal);

        var secret = Assert.Throws<EngineException>(() => RunnerCommand.Parse(new[] { "apply", "--connection=Host=db;Password=hunter22", "x" }));
        Assert.Equal(EngineCodes.Configuration, secret.Code);
        Assert.DoesNotContain("hunter22", secret.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_usage_lists_each_option_under_the_commands_that_take_it()
    {
        string[] groups = RunnerCommand.Usage.Split("; ");
        foreach (string option in OptionNames())
        {
            // "[--name <value>]", or "--assembly <app.dll>" unbracketed (the notes at the end name options without a value).
            string group = Assert.Single(groups, g => g.Contains("[--" + option + " ", StringComparison.Ordinal) || g.Contains(": --" + option + " ", StringComparison.Ordinal));
            IReadOnlyList<string> takers = RunnerProtocol.CommandOptions.TakenBy(option);
            string who = takers.Count == RunnerProtocol.Commands.All.Length ? "every command" : CommandLineText.Listed(takers);
            Assert.StartsWith(who + ": ", group, StringComparison.Ordinal);
        }
    }

    private static string[] CommandsOfTheTask()
        => (string[])typeof(SafeMigrationsTask).GetField("Commands", BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null)!;

    private static IEnumerable<string> OptionNames()
        => typeof(RunnerProtocol.Options).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    /// <summary>The <c>SafeMigrationsTask</c> calls in build/SafeMigrations.targets, one per command.</summary>
    internal static IEnumerable<XElement> TaskCalls()
        => XDocument.Load(Path.Combine(AppContext.BaseDirectory, "SafeMigrations.targets")).Descendants()
            .Where(e => e.Name.LocalName == nameof(SafeMigrationsTask));

    /// <summary>The task as the target for <paramref name="command"/> calls it: the same properties set, each to a value.</summary>
    private static SafeMigrationsTask TaskAsTheTargetCallsIt(string command)
    {
        XElement call = TaskCalls().Single(e => (string?)e.Attribute(nameof(SafeMigrationsTask.Command)) == command);
        var task = new SafeMigrationsTask { Command = command, Assembly = "app.dll", RunnerPath = RunnerPath };
        foreach (XAttribute attribute in call.Attributes())
        {
            PropertyInfo? property = typeof(SafeMigrationsTask).GetProperty(attribute.Name.LocalName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly);
            if (property is not null && property.PropertyType == typeof(string) && !NotForTheRunner.Contains(property.Name))
            {
                property.SetValue(task, "value-of-" + property.Name);
            }
        }

        return task;
    }

    /// <summary>The task with every string property meant for the runner set to a value.</summary>
    private static SafeMigrationsTask TaskWithEveryProperty(string command)
    {
        var task = new SafeMigrationsTask { Command = command, Assembly = "app.dll", RunnerPath = RunnerPath };
        foreach (PropertyInfo property in typeof(SafeMigrationsTask).GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly))
        {
            if (property.PropertyType == typeof(string) && property.CanWrite && !NotForTheRunner.Contains(property.Name))
            {
                property.SetValue(task, "value-of-" + property.Name);
            }
        }

        return task;
    }

    private static IEnumerable<string> OptionsIn(IEnumerable<string> runnerArguments)
        => runnerArguments.Where(a => a.StartsWith(RunnerProtocol.OptionPrefix, StringComparison.Ordinal)).Select(a => a.Substring(RunnerProtocol.OptionPrefix.Length));

    /// <summary>What the task passes to the runner: its command line after the runner's path (values have no spaces).</summary>
    internal static string[] RunnerArguments(SafeMigrationsTask task)
    {
        string commandLine = (string)typeof(SafeMigrationsTask).GetMethod("GenerateCommandLineCommands", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(task, null)!;
        string[] words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int runner = Array.IndexOf(words, RunnerPath);
        Assert.True(runner >= 0, commandLine);
        return words.Skip(runner + 1).ToArray();
    }
}
