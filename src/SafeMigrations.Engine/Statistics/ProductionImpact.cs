using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Verifying;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Engine.Statistics
{
    /// <summary>
    /// The estimated production impact of plan steps, from the statistics snapshot: the size of the table a step works
    /// on and, when its SQL has a hazard that grows with the table (the analyzers' statement rules judge it), an
    /// estimated duration of the blocking part. The same wording as the analyzers' messages.
    /// </summary>
    public sealed class ProductionImpact
    {
        private readonly StatisticsFile _file;
        private readonly EstimateRates _rates;

        private ProductionImpact(string path, StatisticsFile file, EstimateRates rates)
        {
            Path = path;
            _file = file;
            _rates = rates;
        }

        /// <summary>The snapshot's full path.</summary>
        public string Path { get; }

        /// <summary>
        /// The snapshot at <paramref name="path"/>, or without one <see cref="StatisticsSnapshot.DefaultFileName"/> in the
        /// working directory (the project's, under MSBuild). Null when there is none, or when it cannot be read (then
        /// a warning says why: a bad snapshot must not stop a plan).
        /// </summary>
        /// <param name="path">The snapshot given with --statistics, or null for the conventional one.</param>
        /// <param name="log">Where a snapshot that cannot be read is reported.</param>
        /// <param name="rates">The estimate rates; by default the analyzers' <c>.editorconfig</c> keys as they apply next to the snapshot (<see cref="EditorConfigRates"/>).</param>
        /// <exception cref="EngineException">SM1001 when an explicitly given file does not exist.</exception>
        public static ProductionImpact? Load(string? path, IEngineLog log, EstimateRates? rates = null)
        {
            string full = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? StatisticsSnapshot.DefaultFileName : path!);
            if (!File.Exists(full))
            {
                if (!string.IsNullOrWhiteSpace(path))
                    throw new EngineException(EngineCodes.Configuration, $"the statistics snapshot '{full}' does not exist; take it with the stats command (SafeMigrationsStats), or leave --statistics out.");
                return null;
            }

            try
            {
                return new ProductionImpact(full, StatisticsFile.Parse(File.ReadAllText(full)), rates ?? EditorConfigRates.Read(full));
            }
            catch (Exception exception) when (exception is FormatException || exception is IOException || exception is UnauthorizedAccessException)
            {
                log.Warn(EngineCodes.Configuration, $"the statistics snapshot '{full}' cannot be read ({exception.Message}): no production estimates; take it again with the stats command (SafeMigrationsStats).");
                return null;
            }
        }

        /// <summary>
        /// "'orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of 2026-11-30); the index build
        /// takes an estimated ~22 s under the lock (1.3 GB at 60 MB/s)", or with no growing hazard "...; no blocking
        /// part grows with the table"; null when the step names no table the snapshot knows.
        /// </summary>
        public string? Describe(PlanStep step)
        {
            string? sizeOnly = null;
            // A batched step's SQL is one batch: judged alone it looks like a whole-table change, which it is not.
            bool batched = step.Transaction == StepTransaction.Batched;
            foreach (SqlStatement statement in StatementScanner.Scan(step.Sql).Where(s => s.Kind != StatementKind.CreateTable))
            {
                foreach (StatementFinding finding in batched ? Enumerable.Empty<StatementFinding>() : StatementRules.Judge(statement))
                {
                    if (ProductionEstimate.WorkOf(finding.Rule.Id) is BlockingWork work && Known(finding.Statement) is TableEstimate table)
                    {
                        string duration = ProductionEstimate.Duration(table, work, _rates, EstimateRates.KeyFor(work));
                        return ProductionEstimate.Size(table, _file.TakenAt) + (duration.Length == 0 ? string.Empty : "; " + duration) + " (" + finding.Rule.Id + ")";
                    }
                }

                if (sizeOnly is null && Known(statement) is TableEstimate known)
                    sizeOnly = ProductionEstimate.Size(known, _file.TakenAt) + (batched ? "; in keyset batches, each a short transaction" : "; no blocking part grows with the table");
            }

            return sizeOnly;
        }

        /// <summary>
        /// Verify: each traced expand or contract step's estimated production impact into <paramref name="result"/>
        /// (the report's "Estimated production impact" section) and the log.
        /// </summary>
        public void AddTo(VerifyResult result, IEngineLog log)
        {
            foreach (StepTrace trace in result.Steps.Where(t => t.Round != VerifyRound.Reapply))
            {
                if (Describe(trace.Step) is string production)
                {
                    result.ProductionImpact.Add(new KeyValuePair<string, string>(trace.Step.Name, production));
                    log.Info($"{trace.Step.Name} production: {production}");
                }
            }
        }

        private TableEstimate? Known(SqlStatement statement) =>
            (statement.Table is null ? statement.Tables : new[] { statement.Table }.Concat(statement.Tables))
                .Select(name => _file.Find(name.Schema, name.Name))
                .FirstOrDefault(table => table is not null);
    }
}
