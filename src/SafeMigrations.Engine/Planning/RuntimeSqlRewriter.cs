using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// Judges the SQL text the engine is about to run — raw <c>Sql(...)</c> text, constant or built at run time, and
    /// the SQL EF generates — with the analyzers' own statement rules (<see cref="StatementRules"/>), and rewrites what
    /// has a safe form with the same end state: a lone UPDATE/DELETE of a pre-existing table into keyset batches,
    /// CREATE INDEX into CONCURRENTLY, ADD CONSTRAINT (foreign key, check) into NOT VALID + VALIDATE. What cannot be
    /// rewritten keeps the rule's message as an SM1006 warning, shown by <c>plan</c> before anything runs.
    /// </summary>
    internal static class RuntimeSqlRewriter
    {
        /// <summary>
        /// The judgement of one script on its own: <paramref name="isNew"/> tells whether a table was created earlier in
        /// the same migration; in the contract phase the compatibility rules do not apply.
        /// </summary>
        public static RuntimeJudgement Judge(IReadOnlyList<SqlStatement> statements, Func<QualifiedName, bool> isNew, bool contractPhase = false) =>
            Judge(statements, new MigrationSqlHistory(isNew), contractPhase, suppressed: false);

        /// <summary>
        /// The judgement of one step's SQL, with what the migration did before it and does after it (<paramref name="history"/>,
        /// fed here with the step's statements): statements on tables created earlier in the migration are not judged,
        /// as the analyzers exempt them; in the contract phase the compatibility rules (SM0011 ... SM0014) do not apply.
        /// <paramref name="suppressed"/>: the SQL runs outside the migration's transaction (plain EF commits around it).
        /// </summary>
        public static RuntimeJudgement Judge(IReadOnlyList<SqlStatement> statements, MigrationSqlHistory history, bool contractPhase, bool suppressed)
        {
            var findings = new List<StatementFinding>();
            var insideDo = new List<StatementFinding>();
            if (suppressed)
                history.Commit();
            for (int i = 0; i < statements.Count; i++)
            {
                SqlStatement statement = statements[i];
                IEnumerable<SqlStatement> rest = statements.Skip(i + 1);
                // SM0007: a SET TimeZone = 'UTC' earlier in the migration's session spares a timestamp <-> timestamptz change its rewrite.
                foreach (StatementFinding finding in StatementRules.Judge(statement, sessionIsUtc: history.TimeZone.IsUtc))
                {
                    if (Judged(finding, history, contractPhase, rest) is { } judged)
                        findings.Add(judged);
                }
                // A DO block's body is PL/pgSQL: its SQL statements are judged, but nothing inside it can be rewritten.
                if (statement.Kind == StatementKind.Do && statement.Body is not null)
                    insideDo.AddRange(BlockStatements(statement.Body).SelectMany(s => StatementRules.Judge(s)).Where(f => (f.Statement.Table is null || !history.IsNew(f.Statement.Table))
                        && !(contractPhase && StatementRules.IsCompatibilityRule(f.Rule))));
                history.Ran(statement, inTransaction: !suppressed);
            }
            if (suppressed)
                history.Commit();
            if (findings.Count == 0 && insideDo.Count == 0)
                return RuntimeJudgement.Clean;

            // Only a statement that runs alone can be rewritten: in a script, later statements may depend on it.
            int meaningful = statements.Count(s => s.Kind != StatementKind.Set && s.Kind != StatementKind.Empty);
            if (meaningful == 1 && insideDo.Count == 0 && findings.Count == 1 && Rewrite(findings[0]) is RuntimeJudgement rewritten)
                return rewritten;

            string reason = insideDo.Count > 0 ? "inside a DO block nothing can be rewritten"
                : meaningful > 1 ? $"a script of {meaningful} statements runs as one step (later statements may depend on earlier ones): give a lone UPDATE, DELETE, CREATE INDEX or ADD CONSTRAINT its own Sql(...) call"
                : findings.Count == 1 ? NoRewrite(findings[0])
                : "no automatic rewrite has the same end state";
            var warning = string.Join("; ", findings.Concat(insideDo).Select(f => $"{f.Rule.Id} at run time: {f.Message}"));
            return new RuntimeJudgement(findings.Concat(insideDo).ToList(), null, null, $"{warning} (not rewritten: {reason})",
                string.Join("; ", findings.Concat(insideDo).Select(f => $"{f.Rule.Id} at run time: {Subject(f)} → reported ({reason})")));
        }

        /// <summary>
        /// A finding as the analyzers report it, or null where their exemptions apply: a table created earlier in the
        /// migration, the contract phase (compatibility rules), a NOT NULL proven earlier (SM0006), a column added earlier
        /// (SM0011, whose message changes when the old name is added again later), a compatibility view after a rename (SM0012).
        /// </summary>
        private static StatementFinding? Judged(StatementFinding finding, MigrationSqlHistory history, bool contractPhase, IEnumerable<SqlStatement> rest)
        {
            QualifiedName? table = finding.Statement.Table;
            if ((table is not null && history.IsNew(table)) || (contractPhase && StatementRules.IsCompatibilityRule(finding.Rule)))
                return null;
            if (finding.Rule == StatementRules.SetNotNull && finding.Action?.Column is string notNull && table is not null)
                return history.ProvesNotNull(table, notNull) ? null : finding;
            if (finding.Rule == StatementRules.RenameColumn && finding.Action?.Column is string renamed && table is not null)
                return history.AddedColumn(table, renamed) ? null : history.AddsColumnLater(table, renamed, rest) ? StatementRules.Readded(finding) : finding;
            if (finding.Rule == StatementRules.RenameTable && table is not null && StatementRules.RenamedTo(table, finding.Action!) is QualifiedName to)
                return history.HasCompatibilityViewLater(table, to, rest) ? null : finding;
            return finding;
        }

        /// <summary>
        /// The SQL statements of a PL/pgSQL block body: the scanner splits at semicolons, so the first statement after
        /// BEGIN (or after a nested BEGIN) starts with that keyword, which is taken off here.
        /// </summary>
        private static IEnumerable<SqlStatement> BlockStatements(string body)
        {
            foreach (SqlStatement scanned in StatementScanner.Scan(body))
            {
                SqlStatement statement = scanned;
                while (statement.Tokens.Count > 1 && statement.Tokens[0].IsKeyword("begin"))
                    statement = StatementScanner.Classify(statement.Text.Substring(statement.Tokens[1].Offset - statement.Start));
                yield return statement;
            }
        }

        private static RuntimeJudgement? Rewrite(StatementFinding finding)
        {
            SqlStatement statement = finding.Statement;
            if (finding.Rewrite == SafeRewrite.Concurrently && statement.Kind == StatementKind.DropIndex)
            {
                // One index, no CASCADE (the judgement checked): the concurrent drop ends in the same catalog.
                string dropConcurrently = Regex.Replace(statement.Text.Trim(), @"^DROP\s+INDEX\s+", m => m.Value + "CONCURRENTLY ", RegexOptions.IgnoreCase);
                if (dropConcurrently == statement.Text.Trim())
                    return null;
                QualifiedName index = statement.Indexes[0];
                return new RuntimeJudgement(new[] { finding }, null, new[] { dropConcurrently + ";" }, null,
                    $"{finding.Rule.Id} at run time: DROP INDEX {SqlIdentifier.Qualify(index.Schema, index.Name)} → CONCURRENTLY, outside a transaction");
            }
            QualifiedName table = statement.Table!;
            string qualified = SqlIdentifier.Qualify(table.Schema, table.Name);
            switch (finding.Rewrite)
            {
                case SafeRewrite.KeysetBatches when DataChangeStatements.KeysetFormOf(statement) is KeysetForm form:
                    string rows = form.Where is null ? "every row" : "every matching row";
                    return new RuntimeJudgement(new[] { finding }, form, null, null,
                        $"{finding.Rule.Id} at run time: one {Verb(statement)} of {rows} of {qualified} → keyset batches");
                case SafeRewrite.Concurrently when statement.Index is not null:
                    string concurrent = Regex.Replace(statement.Text.Trim(), @"^CREATE\s+(UNIQUE\s+)?INDEX\s+", m => m.Value + "CONCURRENTLY ", RegexOptions.IgnoreCase);
                    return new RuntimeJudgement(new[] { finding }, null, new[] { concurrent + ";" }, null,
                        $"{finding.Rule.Id} at run time: CREATE INDEX {SqlIdentifier.Quote(statement.Index.Name)} on {qualified} → CONCURRENTLY, outside a transaction");
                case SafeRewrite.NotValidThenValidate when finding.Action?.Name is string name:
                    string what = finding.Action.Constraint == ConstraintKind.ForeignKey ? "FOREIGN KEY" : "CHECK";
                    return new RuntimeJudgement(new[] { finding }, null,
                        new[] { statement.Text.Trim() + " NOT VALID;", $"ALTER TABLE {qualified} VALIDATE CONSTRAINT {SqlIdentifier.Quote(name)};" }, null,
                        $"{finding.Rule.Id} at run time: ADD CONSTRAINT {SqlIdentifier.Quote(name)} {what} on {qualified} → NOT VALID, then VALIDATE CONSTRAINT");
                case SafeRewrite.NotNullThroughCheck when finding.Action?.Column is string column:
                    return new RuntimeJudgement(new[] { finding }, null, null, null,
                        $"{finding.Rule.Id} at run time: SET NOT NULL of {SqlIdentifier.Quote(column)} on {qualified} → CHECK NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL, drop the check") { Planned = finding };
                case SafeRewrite.KeyThroughIndex when finding.Action?.Name is string key:
                    return new RuntimeJudgement(new[] { finding }, null, null, null,
                        $"{finding.Rule.Id} at run time: ADD CONSTRAINT {SqlIdentifier.Quote(key)} {(finding.Action.Constraint == ConstraintKind.PrimaryKey ? "PRIMARY KEY" : "UNIQUE")} on {qualified} → CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX") { Planned = finding };
                default:
                    return null;
            }
        }

        /// <summary>Why a lone statement with a rewrite kind was not rewritten, for the warning and the plan note.</summary>
        private static string NoRewrite(StatementFinding finding) =>
            finding.Rule == StatementRules.UnbatchedDataChange
                ? "keyset batches could end differently: it has a WITH, FROM, USING, RETURNING or alias, a value that reads a column it writes (a batch replayed after a crash would apply twice), a volatile function or sub-select, or a sub-query reading its own table"
                : finding.Rule == StatementRules.CreateIndexNonConcurrently
                    ? "an index without a name cannot be checked and rebuilt after a failed concurrent build"
                    : finding.Rule == StatementRules.DropIndexNonConcurrently
                        ? "DROP INDEX CONCURRENTLY drops one index at a time and cannot CASCADE: drop each index in its own Sql(..., suppressTransaction: true) call"
                        : StatementRules.IsCompatibilityRule(finding.Rule)
                            ? "no rewrite of the statement keeps the running app version working: move it to the contract phase, or use expand/contract"
                            : "no automatic rewrite has the same end state";

        private static string Verb(SqlStatement statement) => statement.Kind == StatementKind.Update ? "UPDATE" : "DELETE";

        private static string Subject(StatementFinding finding) =>
            finding.Rule.Id == StatementRules.UnbatchedDataChange.Id
                ? $"one {Verb(finding.Statement)} of {(finding.Statement.HasWhere ? "every matching row" : "every row")} of {SqlIdentifier.Qualify(finding.Statement.Table!.Schema, finding.Statement.Table.Name)}"
                : finding.Rule.Id == StatementRules.RenameColumn.Id
                    ? $"RENAME COLUMN '{finding.Arguments[1]}' of '{finding.Arguments[2]}' to '{finding.Arguments[3]}'"
                    : finding.Rule == StatementRules.RenameTable
                        ? $"{finding.Arguments[0]} of '{finding.Arguments[1]}' to '{finding.Arguments[2]}'"
                        : finding.Rule == StatementRules.DropColumnOutsideContract
                            ? $"DROP {finding.Arguments[0]} of '{finding.Arguments[1]}'"
                            : finding.Arguments.FirstOrDefault()?.ToString() ?? finding.Rule.Id;

        /// <summary>The same findings reported, not rewritten (the SQL EF generates for an operation the planner does not rewrite itself).</summary>
        public static RuntimeJudgement ReportOnly(RuntimeJudgement judged)
        {
            if (judged.Findings.Count == 0)
                return judged;
            const string reason = "EF Core's SQL for this operation runs as generated";
            return new RuntimeJudgement(judged.Findings, null, null,
                string.Join("; ", judged.Findings.Select(f => $"{f.Rule.Id} at run time: {f.Message}")) + $" (not rewritten: {reason})",
                string.Join("; ", judged.Findings.Select(f => $"{f.Rule.Id} at run time: {Subject(f)} → reported ({reason})")));
        }

        /// <summary>Adds the keyset-batched step of a lone UPDATE/DELETE, in place of the statement.</summary>
        public static void PlanBatches(RuntimeJudgement judged, Func<string, string, string, StepTransaction, string, PlanStep> add)
        {
            KeysetForm form = judged.Batches!;
            BackfillSpec spec = Batches(form, out string verification, out string description);
            string qualified = SqlIdentifier.Qualify(spec.Schema, spec.Table);
            bool delete = form.Set is null;
            PlanStep step = add(delete ? "delete-in-batches" : "backfill", description, form.Statement.Text.Trim() + " -- in keyset batches",
                StepTransaction.Batched, $"ROW EXCLUSIVE on {qualified}; each batch's rows locked until that batch commits");
            step.Backfill = spec;
            spec.AsWrittenWithoutKey = true;
            step.VerificationSql = verification;
            step.VerificationDescription = delete ? "no row matches the where" : "every matching row holds its new value";
            // Idempotent: a batch run again (or a table already in the end state) changes nothing.
            step.SkipWhenVerified = true;
            step.NoUndoReason = delete
                ? "deleted rows cannot be restored; once a batch has run, rollback of this migration refuses (SM1008): revert with a new forward migration"
                : "the old values are not kept; once a batch has run, rollback of this migration refuses (SM1008): revert with a new forward migration";
            step.RewrittenFrom = $"one {Verb(form.Statement)} of {(form.Where is null ? "every row" : "every matching row")} (all of them locked until commit)";
            step.RuleNote = judged.Note;
        }

        /// <summary>The batched step of a keyset form: the statement's own SET and WHERE, verified by recomputing each value.</summary>
        private static BackfillSpec Batches(KeysetForm form, out string verification, out string description)
        {
            QualifiedName table = form.Statement.Table!;
            string qualified = SqlIdentifier.Qualify(table.Schema, table.Name);
            string where = form.Where ?? "TRUE";
            if (form.Set is null)
            {
                description = $"delete from {qualified} in keyset batches";
                verification = CatalogChecks.NoRowMatches(table.Schema, table.Name, where);
                return BackfillSpec.Delete(table.Schema, table.Name, where, null, null);
            }

            // The assigned values read no assigned column, so "every matching row holds its value" proves the end state.
            string columns = string.Join(", ", form.AssignedColumns.Select(SqlIdentifier.Quote));
            string values = string.Join(", ", form.AssignedValues);
            string notDone = form.AssignedColumns.Count == 1
                ? $"({where}) AND ({columns}) IS DISTINCT FROM ({values})"
                : $"({where}) AND ROW({columns}) IS DISTINCT FROM ROW({values})";
            description = $"update {qualified} in keyset batches";
            verification = CatalogChecks.NoRowMatches(table.Schema, table.Name, notDone);
            return new BackfillSpec(table.Schema, table.Name, form.Set, where, null, null) { CountRemainingSql = $"SELECT count(*) FROM {qualified} WHERE {notDone}", RemainingWhere = notDone };
        }
    }

    /// <summary>What <see cref="RuntimeSqlRewriter"/> made of one step's SQL.</summary>
    internal sealed class RuntimeJudgement
    {
        public static readonly RuntimeJudgement Clean = new RuntimeJudgement(Array.Empty<StatementFinding>(), null, null, null, null);

        public RuntimeJudgement(IReadOnlyList<StatementFinding> findings, KeysetForm? batches, IReadOnlyList<string>? pieces, string? warning, string? note)
        {
            Findings = findings;
            Batches = batches;
            Pieces = pieces;
            Warning = warning;
            Note = note;
        }

        /// <summary>The rules' findings on the SQL.</summary>
        public IReadOnlyList<StatementFinding> Findings { get; }

        /// <summary>Run as keyset batches instead.</summary>
        public KeysetForm? Batches { get; }

        /// <summary>A rewrite the planner makes with its own steps for the same EF operation (SET NOT NULL through a check, ...).</summary>
        public StatementFinding? Planned { get; init; }

        /// <summary>Run these statements instead, each as its own step.</summary>
        public IReadOnlyList<string>? Pieces { get; }

        /// <summary>The SM1006 warning when nothing was rewritten.</summary>
        public string? Warning { get; }

        /// <summary>The line <c>plan</c> shows: the rule and what the engine did about it.</summary>
        public string? Note { get; }
    }
}
