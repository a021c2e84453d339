using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Scripting
{
    /// <summary>The two scripts of a migration range: run <see cref="Expand"/> before the new app version, <see cref="Contract"/> after it.</summary>
    public sealed class PhaseScripts
    {
        internal PhaseScripts(string expand, string contract)
        {
            Expand = expand;
            Contract = contract;
        }

        /// <summary>expand.sql.</summary>
        public string Expand { get; }

        /// <summary>contract.sql.</summary>
        public string Contract { get; }
    }

    /// <summary>
    /// Writes the engine's offline plan as psql scripts a DBA can read and run (<c>psql -v ON_ERROR_STOP=1 -f expand.sql</c>):
    /// each blocking step in its own transaction after <c>SET LOCAL lock_timeout</c>, CONCURRENTLY statements outside
    /// transactions, backfills as DO blocks committing per keyset batch, a verification after every step that stops
    /// the script, and psql <c>\if</c> guards so a rerun skips migrations in the EF history and steps already done.
    /// </summary>
    /// <remarks>
    /// The script does not retry on a lock timeout (psql stops); a rerun resumes at the first step not done. It does
    /// not write the engine's state table, so the engine sees a scripted migration as applied by plain EF.
    /// </remarks>
    public sealed class PhaseScriptWriter
    {
        internal const string Tag = "$sm$";

        private readonly MigrationCatalog _catalog;
        private readonly MigrationPlanner _planner;
        private readonly TimeSpan _lockTimeout;
        private readonly string _historyTable;

        /// <summary>Writes scripts for the migrations of <paramref name="catalog"/>, with <paramref name="lockTimeout"/> before each blocking statement.</summary>
        public PhaseScriptWriter(MigrationCatalog catalog, TimeSpan lockTimeout)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
            _planner = new MigrationPlanner(catalog);
            _lockTimeout = lockTimeout;
            var relational = RelationalOptionsExtension.Extract(catalog.Context.GetService<IDbContextOptions>());
            _historyTable = SqlIdentifier.Qualify(relational.MigrationsHistoryTableSchema, relational.MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName);
        }

        /// <summary>
        /// The migrations after <paramref name="from"/> (exclusive, as <c>dotnet ef migrations script</c> reads it) up to
        /// <paramref name="to"/> (inclusive); nulls mean the first and the last migration.
        /// </summary>
        /// <exception cref="EngineException">SM1007 for an unknown migration, SM1001 for a range that runs backwards.</exception>
        public IReadOnlyList<MigrationInfo> Range(string? from, string? to)
        {
            var all = _catalog.Migrations;
            int start = from is null ? 0 : IndexOf(_catalog.Find(from)) + 1;
            int end = to is null ? all.Count - 1 : IndexOf(_catalog.Find(to));
            if (end < start - 1)
                throw new EngineException(EngineCodes.Configuration, $"--to {to} comes before --from {from}; a script only goes forward (going back is a rollback or a new migration).");
            return all.Skip(start).Take(end - start + 1).ToList();

            int IndexOf(MigrationInfo migration) => all.ToList().FindIndex(m => m.Id == migration.Id);
        }

        /// <summary>Plans <paramref name="migrations"/> and writes both scripts.</summary>
        public PhaseScripts Write(IReadOnlyList<MigrationInfo> migrations)
        {
            var plans = migrations.Select(_planner.Plan).ToList();
            return new PhaseScripts(WriteExpand(plans), WriteContract(plans));
        }

        private string WriteExpand(IReadOnlyList<MigrationPlan> plans)
        {
            var script = new ScriptText();
            Header(script, "expand", "before the new app version rolls out; every statement here keeps the running version working");
            script.Line(_catalog.HistoryCreateIfNotExistsSql.Trim());
            foreach (MigrationPlan plan in plans)
            {
                string id = plan.Migration.Id;
                script.Blank();
                script.Line($"-- ==== migration {id} (expand) ====");
                script.Line($"SELECT EXISTS (SELECT 1 FROM {_historyTable} WHERE \"MigrationId\" = {CatalogChecks.Literal(id)}) AS sm_applied \\gset");
                script.Line("\\if :sm_applied");
                script.Echo($"{id}: in the EF history already, skipped");
                script.Line("\\else");
                foreach (PlanStep step in plan.ExpandSteps)
                    WriteStep(script, step);
                script.Line($"-- expand of {id} complete: the EF history row, so Database.Migrate() neither reruns nor runs ahead of it");
                script.Line(_catalog.HistoryInsertSql(id).Trim());
                script.Line("\\endif");
            }
            return script.ToString();
        }

        private string WriteContract(IReadOnlyList<MigrationPlan> plans)
        {
            var script = new ScriptText();
            Header(script, "contract", "after every instance runs the new app version; destructive, the point of no return");
            foreach (MigrationPlan plan in plans)
            {
                string id = plan.Migration.Id;
                script.Blank();
                script.Line($"-- ==== migration {id} (contract) ====");
                if (!plan.ContractSteps.Any())
                {
                    script.Line("-- no contract steps");
                    continue;
                }
                script.Line($"SELECT NOT EXISTS (SELECT 1 FROM {_historyTable} WHERE \"MigrationId\" = {CatalogChecks.Literal(id)}) AS sm_pending \\gset");
                script.Line("\\if :sm_pending");
                script.Line(Raise($"{EngineCodes.Configuration} {id}: its expand phase has not run (no EF history row); run expand.sql first"));
                script.Line("\\endif");
                foreach (PlanStep step in plan.ContractSteps)
                    WriteStep(script, step);
            }
            return script.ToString();
        }

        private void Header(ScriptText script, string phase, string when)
        {
            script.Line($"-- SafeMigrations {phase} script for {_catalog.Context.GetType().Name} (EF Core {_catalog.ProductVersion}); run {when}:");
            script.Line($"--   psql -v ON_ERROR_STOP=1 -f {phase}.sql");
            script.Line("-- Needs psql (\\if, \\gset) and PostgreSQL 11+ (COMMIT in DO blocks). Runs in autocommit: each blocking step is");
            script.Line("-- its own short transaction; a lock timeout stops the script, and a rerun skips what is already done.");
            script.Line("\\set ON_ERROR_STOP on");
        }

        private void WriteStep(ScriptText script, PlanStep step)
        {
            script.Blank();
            script.Line($"-- step {step.Index}: {OneLine(step.Description)}");
            script.Line($"-- lock: {OneLine(step.Lock)}");
            if (step.RewrittenFrom is not null)
                script.Line($"-- rewritten from: {OneLine(step.RewrittenFrom)}");
            if (step.TimeZoneIndexes is { OldTypeReadAtRunTime: true })
                script.Line("-- the runner (apply) reads the column's type first and, when it is the other timestamp type, drops the column's plain indexes concurrently around this ALTER and builds them again; a script runs the statement alone, which then rebuilds them under ACCESS EXCLUSIVE");
            else if (step.TimeZoneIndexes is not null)
                script.Line("-- the runner (apply) drops the column's plain indexes concurrently around this ALTER and builds them again; a script runs the ALTER alone, which rebuilds them under ACCESS EXCLUSIVE");
            if (step.Warning is not null)
                script.Line($"-- {EngineCodes.CannotBeMadeSafe} warning: {OneLine(step.Warning)}");
            script.Echo(step.Name);

            if (step.Transaction == StepTransaction.Batched && step.Backfill is null)
            {
                // Never silently leave a step out: the script stops here.
                script.Line("-- this step cannot be written as SQL; apply this migration with the runner (apply) instead");
                script.Line(Raise($"{EngineCodes.CannotBeMadeSafe} {step.Name}: cannot be run from a script; apply this migration with the SafeMigrations runner"));
                return;
            }

            // Settings an earlier step of the migration made (EF would run this step on the same connection after
            // it), in force for the guard, the step and its verification.
            foreach (CarriedSetting setting in step.SessionSettings)
                script.Line($"{setting.Statement.Trim().TrimEnd(';')}; -- carried from step {setting.FromStep}");

            bool guarded = step.VerificationSql is not null && SkipsWhenDone(step);
            if (guarded)
            {
                script.Line($"SELECT coalesce(({step.VerificationSql}), false) AS sm_done \\gset");
                script.Line("\\if :sm_done");
                script.Echo("  already done, skipped");
                script.Line("\\else");
            }

            string timeout = _lockTimeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + "ms";
            // A raw time zone change runs alone here, in the transaction its SQL was written for (its SET LOCAL included).
            switch (step.TimeZoneIndexes is { OldTypeReadAtRunTime: true } ? StepTransaction.Own : step.Transaction)
            {
                case StepTransaction.Own:
                    script.Line("BEGIN;");
                    script.Line($"SET LOCAL lock_timeout = '{timeout}';");
                    script.Line(Terminated(step.Sql));
                    script.Line("COMMIT;");
                    break;
                case StepTransaction.None:
                    script.Line($"SET lock_timeout = '{timeout}';");
                    DropInvalidLeftover(script, step.Sql);
                    script.Line(Terminated(step.Sql));
                    break;
                case StepTransaction.Batched:
                    script.Line($"SET lock_timeout = '{timeout}';");
                    script.Line(BatchedLoop.Write(step));
                    break;
            }

            if (guarded)
                script.Line("\\endif");
            if (step.VerificationSql is not null)
            {
                script.Line($"-- verify: {OneLine(step.VerificationDescription ?? "step in effect")}");
                script.Line($"DO {Tag} BEGIN IF NOT coalesce(({step.VerificationSql}), false) THEN "
                    + $"RAISE EXCEPTION USING MESSAGE = {CatalogChecks.Literal($"{EngineCodes.VerificationFailed} {step.Name}: verification failed ({step.VerificationDescription ?? "step in effect"}); fix the cause, then rerun this script")}; END IF; END {Tag};");
            }
            foreach (CarriedSetting setting in step.SessionSettings)
                script.Line($"RESET {setting.Parameter};");
        }

        // Guards drawn from the step's own verification; a sync trigger is always reinstalled, as the engine does.
        private static bool SkipsWhenDone(PlanStep step)
            => step.SafeStep != SafeMigrationSteps.CreateSyncTrigger
               && (step.SkipWhenVerified || step.Transaction == StepTransaction.Batched
                   || step.Kind is "create-index-concurrently" or "add-constraint-not-valid" or "add-constraint-using-index" or "validate-constraint");

        /// <summary>A failed CONCURRENTLY build leaves an INVALID index of that name; drop it so the rerun can build it.</summary>
        private static void DropInvalidLeftover(ScriptText script, string sql)
        {
            foreach (SqlStatement statement in StatementScanner.Scan(sql))
            {
                if (statement.Kind != StatementKind.CreateIndex || !statement.Concurrently || statement.Index is null)
                    continue;
                string index = SqlIdentifier.Qualify(statement.Index.Schema ?? statement.Table?.Schema, statement.Index.Name);
                script.Line($"SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass({CatalogChecks.Literal(index)}) AND NOT indisvalid) AS sm_invalid \\gset");
                script.Line("\\if :sm_invalid");
                script.Echo($"  dropping the INVALID leftover of an interrupted build: {index}");
                script.Line($"DROP INDEX CONCURRENTLY IF EXISTS {index};");
                script.Line("\\endif");
            }
        }

        internal static string Raise(string message)
            => $"DO {Tag} BEGIN RAISE EXCEPTION USING MESSAGE = {CatalogChecks.Literal(message)}; END {Tag};";

        private static string Terminated(string sql)
        {
            string text = sql.Trim();
            if (text.Contains(Tag))
                throw new EngineException(EngineCodes.Configuration, $"the step SQL contains {Tag}, which the script uses to quote its DO blocks; rename that dollar-quote tag in the migration.");
            return text.EndsWith(";", StringComparison.Ordinal) ? text : text + ";";
        }

        private static string OneLine(string text) => string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));

        /// <summary>Script lines; psql meta-commands must stay alone on their lines.</summary>
        private sealed class ScriptText
        {
            private readonly StringBuilder _text = new StringBuilder();

            public void Line(string line) => _text.Append(line).Append('\n');

            public void Blank() => _text.Append('\n');

            // psql reads backslashes and quotes inside \echo '...'; drop them from the message.
            public void Echo(string message) => Line("\\echo '" + message.Replace("\\", string.Empty).Replace("'", string.Empty) + "'");

            public override string ToString() => _text.ToString();
        }
    }
}
