using System;
using System.Collections.Generic;
using System.IO;
using SafeMigrations.Tool;

namespace SafeMigrations.Tool.Tests;

public sealed class GitHubActionsTests : IDisposable
{
    private readonly string _workspace = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sm-gha-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    [Fact]
    public void A_finding_becomes_an_annotation_on_the_migration_file_and_attribute_line()
    {
        string project = Directory.CreateDirectory(Path.Combine(_workspace, "src", "Shop.Data")).FullName;
        Directory.CreateDirectory(Path.Combine(project, "Migrations"));
        File.WriteAllText(Path.Combine(project, "Migrations", "20250302090000_WidenPrice.cs"), string.Join("\n",
            "using Microsoft.EntityFrameworkCore.Migrations;",
            "",
            "namespace Shop.Data.Migrations",
            "{",
            "    [DbContext(typeof(ShopContext))]",
            "    [Migration(\"20250302090000_WidenPrice\")]",
            "    public partial class WidenPrice : Migration",
            "    {",
            "    }",
            "}"));
        // A copy under obj/ is not the source.
        Directory.CreateDirectory(Path.Combine(project, "obj"));
        File.WriteAllText(Path.Combine(project, "obj", "Copy.cs"), "[Migration(\"20250302090000_WidenPrice\")]");

        var console = new StringWriter();
        var github = new GitHubActions(project, _workspace, summaryFile: null, console);
        github.Annotate("error: SM1011: 20250302090000_WidenPrice step 1 (sql: ALTER TABLE ...): rewrote \"public\".\"Products\": 100% of rows, copied");
        github.Annotate("warn: SM1003: the executor lock is held by pid 42");
        github.Annotate("info: 20250302090000_WidenPrice: expand phase complete");

        string[] lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("::error file=src/Shop.Data/Migrations/20250302090000_WidenPrice.cs,line=6,title=SM1011::SM1011: 20250302090000_WidenPrice step 1 (sql: ALTER TABLE ...): rewrote \"public\".\"Products\": 100%25 of rows, copied", lines[0].TrimEnd('\r'));
        Assert.Equal("::warning title=SM1003::SM1003: the executor lock is held by pid 42", lines[1].TrimEnd('\r'));
    }

    [Fact]
    public void The_report_is_added_to_the_runner_options_and_appended_to_the_job_summary()
    {
        string summary = Path.Combine(_workspace, "summary.md");
        File.WriteAllText(summary, "# earlier step\n");
        var github = new GitHubActions(_workspace, _workspace, summary, new StringWriter());
        var options = new List<string> { "--phase", "Expand" };

        string? report = github.PrepareReport("apply", options);

        Assert.NotNull(report);
        Assert.Equal(new[] { "--phase", "Expand", "--report", report }, options);
        File.WriteAllText(report!, "| step | locks |\n|---|---|\n");
        github.AppendSummary(report);
        Assert.Equal("# earlier step\n| step | locks |\n|---|---|\n" + Environment.NewLine, File.ReadAllText(summary));

        // A report the user asked for is the one appended; nothing is added.
        var own = new List<string> { "--report", "deploy.md" };
        Assert.Equal(Path.GetFullPath("deploy.md"), github.PrepareReport("apply", own));
        Assert.Equal(2, own.Count);
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("script")]
    public void A_command_that_writes_no_report_gets_no_report_option_under_a_job_summary(string command)
    {
        // The runner refuses --report for stats and script: adding it failed every stats snapshot taken in a workflow.
        string summary = Path.Combine(_workspace, "summary.md");
        var github = new GitHubActions(_workspace, _workspace, summary, new StringWriter());
        var options = new List<string> { "--output", "db/stats.json" };

        Assert.Null(github.PrepareReport(command, options));

        Assert.Equal(new[] { "--output", "db/stats.json" }, options);
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);
}
