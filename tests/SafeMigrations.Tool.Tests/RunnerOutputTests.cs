using System;
using System.IO;
using System.Linq;
using SafeMigrations.Tool;

namespace SafeMigrations.Tool.Tests;

public class RunnerOutputTests
{
    private static readonly string[] ApplyLines =
    {
        "info: target: host=db port=5432 database=shop user=deploy ssl=Prefer",
        "info: 20240101000000_Init: 2 step(s) to run in phase Expand",
        "info: 20240101000000_Init step 1 (create table \"Orders\"): running (one transaction with lock_timeout)",
        "info: 20240101000000_Init step 1 (create table \"Orders\"): done in 4 ms; verified: table exists",
        "info: 20240101000000_Init step 2 (create index \"IX_Orders_CustomerId\" concurrently): running (no transaction)",
        "warn: SM1006: 20240101000000_Init step 2 (sql: VACUUM FULL \"Orders\"): cannot be made safe; run it in a maintenance window",
        "info: 20240101000000_Init step 2 (create index \"IX_Orders_CustomerId\" concurrently): done in 9 ms",
        "info: 20240101000000_Init: expand phase complete; EF history row written",
    };

    [Fact]
    public void By_default_prints_migration_lines_findings_and_a_summary_but_not_step_detail()
    {
        var console = new StringWriter();
        var output = new RunnerOutput("apply", verbose: false, interactive: false, console, github: null, () => TimeSpan.FromSeconds(2));
        foreach (string line in ApplyLines)
            output.WriteRunnerLine(line);
        output.Finish(0);

        string[] printed = Lines(console);
        Assert.Equal(new[]
        {
            ApplyLines[0],
            ApplyLines[1],
            ApplyLines[5],
            ApplyLines[7],
            "info: apply succeeded: 1 migration(s) named, 1 warning(s), 0 error(s) in 2.0 s; 4 line(s) of per-step detail not shown (--verbose, or the report with --report)",
        }, printed);
    }

    [Fact]
    public void Verbose_prints_every_runner_line()
    {
        var console = new StringWriter();
        var output = new RunnerOutput("apply", verbose: true, interactive: false, console, github: null, () => TimeSpan.Zero);
        foreach (string line in ApplyLines)
            output.WriteRunnerLine(line);
        output.Finish(1);

        string[] printed = Lines(console);
        Assert.Equal(ApplyLines, printed.Take(ApplyLines.Length));
        Assert.StartsWith("info: apply failed: 1 migration(s) named, 1 warning(s), 0 error(s)", printed.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_shows_its_steps_without_verbose()
    {
        var console = new StringWriter();
        var output = new RunnerOutput("plan", verbose: false, interactive: false, console, github: null);
        output.WriteRunnerLine(ApplyLines[2]);
        Assert.Equal(new[] { ApplyLines[2] }, Lines(console));
    }

    [Fact]
    public void In_CI_a_steps_progress_is_printed_at_most_once_per_interval()
    {
        var console = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var output = new RunnerOutput("apply", verbose: false, interactive: false, console, github: null, () => now);
        const string Step = "progress: 20240101000000_Fill step 3 (backfill \"Orders\".\"Status\"): ";
        for (int second = 0; second <= 25; second++)
        {
            now = TimeSpan.FromSeconds(second);
            output.WriteRunnerLine(Step + $"updated {second * 1000} of 26000 rows ({second * 4}%)");
        }

        // Seconds 0, 10 and 20: one line per interval, the rest counted as hidden detail.
        Assert.Equal(
            new[] { Step + "updated 0 of 26000 rows (0%)", Step + "updated 10000 of 26000 rows (40%)", Step + "updated 20000 of 26000 rows (80%)" },
            Lines(console));
    }

    [Fact]
    public void In_a_terminal_progress_is_one_live_line_with_a_bar_ended_before_the_next_message()
    {
        var console = new StringWriter();
        var output = new RunnerOutput("apply", verbose: false, interactive: true, console, github: null, () => TimeSpan.Zero);
        output.WriteRunnerLine("progress: 20240101000000_Fill step 3 (backfill): updated 100 of 400 rows (25%)");
        output.WriteRunnerLine("progress: 20240101000000_Fill step 3 (backfill): updated 200 of 400 rows (50%)");
        output.WriteRunnerLine("info: 20240101000000_Fill: expand phase complete; EF history row written");

        string text = console.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Contains("\r[#####---------------]  25% 20240101000000_Fill step 3 (backfill): updated 100 of 400 rows (25%)", text, StringComparison.Ordinal);
        Assert.Contains("\r[##########----------]  50% ", text, StringComparison.Ordinal);
        // The live line is closed with a newline before the next message, which starts its own line.
        Assert.Contains("\ninfo: 20240101000000_Fill: expand phase complete", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Runner_usage_is_told_in_the_tools_terms()
    {
        var console = new StringWriter();
        var apply = new RunnerOutput("apply", verbose: false, interactive: false, console, github: null);
        apply.WriteRunnerLine("error: SM1001: unknown option '--phasee'; usage: SafeMigrations.Runner <plan|apply|status|rollback|verify> --assembly <app.dll>");

        string[] printed = Lines(console);
        Assert.Equal("error: SM1001: unknown option '--phasee' (dotnet safemigrations --help)", Assert.Single(printed));
    }

    private static string[] Lines(StringWriter console)
        => console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();
}
