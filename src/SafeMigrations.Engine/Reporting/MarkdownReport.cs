using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Reporting
{
    /// <summary>Writes a run's steps as a markdown report: SQL, locks, transaction policy, retries, durations, rows, verification.</summary>
    public static class MarkdownReport
    {
        /// <summary>Renders the report.</summary>
        public static string Render(string command, string database, string phase, DateTime startedUtc, TimeSpan duration, bool succeeded, IReadOnlyList<StepRecord> records, IReadOnlyList<string> warnings)
        {
            var text = new StringBuilder();
            text.Append("# SafeMigrations ").Append(command).Append(" report\n\n");
            text.Append("| | |\n|---|---|\n");
            text.Append("| database | `").Append(database.Replace("|", "\\|")).Append("` |\n");
            text.Append("| phase | ").Append(phase).Append(" |\n");
            text.Append("| started (UTC) | ").Append(startedUtc.ToString("u")).Append(" |\n");
            text.Append("| duration | ").Append(duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)).Append(" s |\n");
            text.Append("| result | ").Append(succeeded ? "succeeded" : "**failed**").Append(" |\n\n");

            if (warnings.Count > 0)
            {
                text.Append("## Warnings\n\n");
                foreach (string warning in warnings)
                    text.Append("- ").Append(warning).Append('\n');
                text.Append('\n');
            }

            text.Append("## Steps\n\n");
            text.Append("| migration | step | phase | what | transaction | lock | outcome | retries | duration | rows | verification |\n");
            text.Append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            foreach (StepRecord record in records)
            {
                PlanStep step = record.Step;
                text.Append("| ").Append(step.MigrationId)
                    .Append(" | ").Append(step.Index)
                    .Append(" | ").Append(step.Phase)
                    .Append(" | ").Append(Cell(step.Description))
                    .Append(" | ").Append(Policy(step.Transaction))
                    .Append(" | ").Append(Cell(step.Lock))
                    .Append(" | ").Append(record.Outcome).Append(record.Error is null ? string.Empty : ": " + Cell(record.Error))
                    .Append(" | ").Append(record.Retries)
                    .Append(" | ").Append(record.Duration.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)).Append(" ms")
                    .Append(" | ").Append(record.Rows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)
                    .Append(" | ").Append(record.Verified switch { true => "✓ " + step.VerificationDescription, false => "✗ " + step.VerificationDescription, _ => "—" })
                    .Append(" |\n");
            }

            text.Append("\n## SQL\n\n");
            foreach (StepRecord record in records)
            {
                PlanStep step = record.Step;
                text.Append("### ").Append(step.MigrationId).Append(" step ").Append(step.Index).Append(": ").Append(step.Description).Append("\n\n");
                if (step.RewrittenFrom is not null)
                    text.Append("Rewritten from: ").Append(step.RewrittenFrom).Append("\n\n");
                if (step.RuleNote is not null)
                    text.Append("Rule: ").Append(step.RuleNote).Append("\n\n");
                text.Append("```sql\n").Append(step.Sql.Trim()).Append("\n```\n\n");
                if (step.VerificationSql is not null)
                    text.Append("Verification: `").Append(step.VerificationSql).Append("`\n\n");
                if (step.NoUndoReason is not null)
                    text.Append("Undo: none (").Append(step.NoUndoReason).Append(")\n\n");
            }
            return text.ToString();
        }

        /// <summary>Writes the report to <paramref name="path"/>, creating its directory.</summary>
        public static void Write(string path, string markdown)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            File.WriteAllText(path, markdown);
        }

        /// <summary>The transaction policy in words.</summary>
        public static string Policy(StepTransaction transaction) => transaction switch
        {
            StepTransaction.Own => "own short transaction, lock_timeout + retries",
            StepTransaction.None => "no transaction (CONCURRENTLY)",
            _ => "keyset batches, one transaction each",
        };

        private static string Cell(string text) => string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|");
    }
}
