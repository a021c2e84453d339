using System;
using System.Linq;
using SafeMigrations.Tool;

namespace SafeMigrations.Tool.Tests;

public class ToolArgumentsTests
{
    [Fact]
    public void Project_options_are_the_tools_and_engine_options_pass_through_in_order()
    {
        ToolArguments parsed = ToolArguments.Parse(new[]
        {
            "apply", "-p", "src/Data", "--startup-project", "src/Web", "-c", "ShopContext", "--framework", "net10.0",
            "--configuration", "Release", "--no-build", "--phase", "Contract", "--lock-timeout", "1500", "-v",
        });

        Assert.Equal("apply", parsed.Command);
        Assert.Equal("src/Data", parsed.Project);
        Assert.Equal("src/Web", parsed.StartupProject);
        Assert.Equal("ShopContext", parsed.Context);
        Assert.Equal("net10.0", parsed.Framework);
        Assert.Equal("Release", parsed.Configuration);
        Assert.True(parsed.NoBuild);
        Assert.True(parsed.Verbose);
        Assert.Equal(new[] { "--phase", "Contract", "--lock-timeout", "1500" }, parsed.RunnerOptions);
    }

    [Theory]
    [InlineData("--connection")]
    [InlineData("--Connection-String")]
    public void A_connection_on_the_command_line_is_refused_with_SM1001_without_echoing_it(string option)
    {
        var error = Assert.Throws<ToolException>(() => ToolArguments.Parse(new[] { "status", option, "Host=db;Password=hunter22" }));
        Assert.Equal("SM1001", error.Code);
        Assert.Contains("SAFEMIGRATIONS_CONNECTION", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", "unknown command 'deploy'")]
    [InlineData("apply --runtime linux-x64", "--runtime is an option of bundle only")]
    [InlineData("bundle --phase Expand", "--phase is not a bundle option")]
    [InlineData("apply --phase", "--phase needs a value")]
    [InlineData("apply stray", "unexpected argument 'stray'")]
    [InlineData("apply --assembly bin/App.dll", "--assembly is not an option of the tool")]
    // An engine option the command does not take: refused before the build, with the runner's message.
    [InlineData("stats --phase Expand", "unknown option '--phase' for stats (plan and apply take it)")]
    // Options the command would ignore: refused, so nobody believes they did something.
    [InlineData("status --contract-gate skip", "unknown option '--contract-gate' for status (apply takes it)")]
    [InlineData("status --target Initial", "unknown option '--target' for status (plan, apply, rollback and verify take it)")]
    [InlineData("rollback --accept-edited Initial", "unknown option '--accept-edited' for rollback (apply takes it)")]
    [InlineData("rollback --phase Expand", "unknown option '--phase' for rollback (plan and apply take it)")]
    [InlineData("plan --index-wait-timeout 1000", "unknown option '--index-wait-timeout' for plan (apply takes it)")]
    [InlineData("verify --lock-retries 3", "unknown option '--lock-retries' for verify (apply and rollback take it)")]
    [InlineData("verify --statement-timeout 1000", "unknown option '--statement-timeout' for verify (plan, apply, status, rollback and stats take it)")]
    [InlineData("stats -c ShopContext", "unknown option '--context' for stats (plan, apply, status, rollback, verify and script take it)")]
    [InlineData("plan --max-replica-lag 16", "unknown option '--max-replica-lag' for plan (apply takes it)")]
    [InlineData("script --report r.md", "unknown option '--report' for script (plan, apply, status, rollback and verify take it)")]
    [InlineData("apply --phasee Expand", "unknown option '--phasee' (dotnet safemigrations --help)")]
    public void Bad_arguments_give_SM1001_naming_the_problem(string commandLine, string expected)
    {
        var error = Assert.Throws<ToolException>(() => ToolArguments.Parse(commandLine.Split(' ')));
        Assert.Equal("SM1001", error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> RunnerCommands() => new TheoryData<string>(RunnerProtocol.Commands.All);

    [Theory]
    [MemberData(nameof(RunnerCommands))]
    public void Every_option_the_runner_takes_for_a_command_passes_through_the_tool_and_is_in_its_usage(string command)
    {
        foreach (string option in RunnerProtocol.CommandOptions.Of(command))
        {
            // The tool finds the assembly itself and never takes a connection on the command line.
            if (option == RunnerProtocol.Options.Assembly || option == RunnerProtocol.Options.Connection)
                continue;
            ToolArguments parsed = ToolArguments.Parse(new[] { command, "--" + option, "value" });
            if (option == RunnerProtocol.Options.Context)
                Assert.Equal("value", parsed.Context);
            else
                Assert.Equal(new[] { "--" + option, "value" }, parsed.RunnerOptions);
            Assert.Contains("--" + option + " ", ToolArguments.Usage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_usage_lists_each_engine_option_under_exactly_the_commands_that_take_it()
    {
        string section = ToolArguments.Usage.Substring(ToolArguments.Usage.IndexOf("engine options", StringComparison.Ordinal));
        section = section.Substring(0, section.IndexOf("\nbundle options", StringComparison.Ordinal));
        string who = string.Empty;
        var listed = new System.Collections.Generic.HashSet<string>();
        foreach (string line in section.Split('\n').Skip(1))
        {
            // "  plan, apply: --phase ..." names its commands; an indented continuation line keeps the previous ones.
            int colon = line.IndexOf(": --", StringComparison.Ordinal);
            if (colon >= 0)
                who = line.Substring(0, colon);
            string[] commands = who.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries).Where(w => RunnerProtocol.Commands.All.Contains(w)).ToArray();
            foreach (string option in line.Split(' ').Where(w => w.StartsWith("--", StringComparison.Ordinal) && w.Length > 2 && !who.Contains(w, StringComparison.Ordinal)))
            {
                string name = option.Substring(2);
                Assert.Equal(RunnerProtocol.CommandOptions.TakenBy(name), commands);
                listed.Add(name);
            }
        }
        Assert.Contains("phase", listed);
        Assert.Contains("statement-timeout", listed);
    }

    [Fact]
    public void Bundle_keeps_the_context_as_its_default()
    {
        Assert.Equal("ShopContext", ToolArguments.Parse(new[] { "bundle", "-c", "ShopContext" }).Context);
    }

    [Fact]
    public void Bundle_takes_a_runtime_and_an_output_directory()
    {
        ToolArguments parsed = ToolArguments.Parse(new[] { "bundle", "-r", "linux-x64", "-o", "artifacts" });
        Assert.Equal("linux-x64", parsed.Runtime);
        Assert.Equal("artifacts", parsed.Output);
        Assert.Empty(parsed.RunnerOptions);
    }

    [Fact]
    public void Script_hands_its_output_directory_and_range_to_the_runner()
    {
        ToolArguments parsed = ToolArguments.Parse(new[] { "script", "-o", "deploy/sql", "--from", "Initial", "--to", "Hardening" });
        Assert.Null(parsed.Output);
        Assert.Equal(new[] { "--output", "deploy/sql", "--from", "Initial", "--to", "Hardening" }, parsed.RunnerOptions);
    }

    [Fact]
    public void Stats_hands_its_output_file_and_interval_to_the_runner()
    {
        ToolArguments parsed = ToolArguments.Parse(new[] { "stats", "--output", "db/prod.stats.json", "--interval", "30" });
        Assert.Null(parsed.Output);
        Assert.Equal(new[] { "--output", "db/prod.stats.json", "--interval", "30" }, parsed.RunnerOptions);
    }

    [Theory]
    [InlineData("apply|Host=db;Database=shop;Password=hunter22")]
    [InlineData("Host=db;Database=shop;Password=hunter22")]
    [InlineData("apply|--connection=Host=db;Password=hunter22")]
    [InlineData("apply|--CONN|Host=db;Password=hunter22")]
    [InlineData("apply|--connectionstring|Host=db;Password=hunter22")]
    [InlineData("apply|--report=Password=hunter22")]
    [InlineData("apply|--report=Password=hunter22|--phase|Expand")]
    [InlineData("apply|-x=Password=hunter22|--phase|Expand")]
    [InlineData("bundle|--accept-edited|Password=hunter22")]
    public void A_connection_string_anywhere_on_the_command_line_gives_SM1001_and_is_never_repeated(string commandLine)
    {
        var error = Assert.Throws<ToolException>(() => ToolArguments.Parse(commandLine.Split('|')));
        Assert.Equal("SM1001", error.Code);
        Assert.DoesNotContain("hunter22", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=db", error.Message, StringComparison.Ordinal);
    }
}
