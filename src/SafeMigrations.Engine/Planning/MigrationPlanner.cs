using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning.Steps;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// Turns a compiled migration into ordered steps. Plain EF operations on existing tables get safe rewrites with the
    /// same end state (indexes concurrently, constraints NOT VALID + VALIDATE, SET NOT NULL through a validated check,
    /// EF's one-shot NULL update as a batched backfill, unique/primary keys through a concurrent index); operations
    /// carrying <c>SafeMigrations:Step</c> annotations run as their SQL and annotations say; everything else runs as
    /// the provider wrote it, each operation in its own short transaction. What stays unsafe carries an SM1006 warning.
    /// </summary>
    public sealed class MigrationPlanner
    {
        /// <summary>The Npgsql annotation that makes the provider emit CREATE INDEX CONCURRENTLY with its transaction suppressed.</summary>
        public const string NpgsqlCreatedConcurrently = "Npgsql:CreatedConcurrently";

        private static readonly Regex EfNullUpdate = new Regex(
            @"^\s*UPDATE\s+(?<table>.+?)\s+SET\s+(?<set>.+?)\s+WHERE\s+(?<where>.+?)\s*;?\s*$",
            RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly MigrationCatalog _catalog;

        /// <summary>Plans with the provider services of <paramref name="catalog"/>.</summary>
        public MigrationPlanner(MigrationCatalog catalog)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        }

        /// <summary>Plans one migration.</summary>
        public MigrationPlan Plan(MigrationInfo info)
        {
            Migration migration = _catalog.Create(info);
            IModel? model = _catalog.TargetModel(migration);
            IReadOnlyList<MigrationOperation> operations = migration.UpOperations;
            var context = new PlanContext(_catalog, info.Id, migration, model, operations);
            for (int i = 0; i < operations.Count; i++)
            {
                MigrationOperation operation = operations[i];
                context.Phase = MigrationPhases.GetPhase(migration, operation);
                context.Sql.Operation = i;
                if (operation is CreateTableOperation created)
                    context.CreatedTables.Add(Key(created.Schema, created.Name));
                if (operation is RenameTableOperation rename && i + 1 < operations.Count && CreateCompatibilityViewPlan.FollowsRename(rename, operations[i + 1]))
                {
                    CreateCompatibilityViewPlan.PlanWithRename(context, rename, (SqlOperation)operations[i + 1]);
                    i++;
                    continue;
                }
                if (i + 1 < operations.Count && TriggerAndColumnDrop.Matches(operation, operations[i + 1]) && MigrationPhases.GetPhase(migration, operations[i + 1]) == context.Phase)
                {
                    int first = context.Steps.Count;
                    PlanOperation(context, operation);
                    PlanOperation(context, operations[i + 1]);
                    TriggerAndColumnDrop.Join(context.Steps, first);
                    i++;
                    continue;
                }
                PlanOperation(context, operation);
            }

            // Expand steps run first, then contract steps; each keeps its order.
            var ordered = context.Steps.Where(s => s.Phase == MigrationPhase.Expand).Concat(context.Steps.Where(s => s.Phase == MigrationPhase.Contract)).ToList();
            for (int i = 0; i < ordered.Count; i++)
                ordered[i].Index = i + 1;
            SessionSettings.Carry(ordered);
            return new MigrationPlan(info, ordered);
        }

        private void PlanOperation(PlanContext context, MigrationOperation operation)
        {
            if (operation is SqlOperation annotated && annotated[StepAnnotations.Step] is string safeStep)
            {
                PlanAnnotated(context, annotated, safeStep);
                return;
            }

            switch (operation)
            {
                case CreateIndexOperation index when !context.IsNew(index.Schema, index.Table):
                    PlanCreateIndex(context, index);
                    return;
                case DropIndexOperation drop when drop.Table is null || !context.IsNew(drop.Schema, drop.Table):
                    PlanDropIndex(context, drop);
                    return;
                case AddForeignKeyOperation foreignKey when !context.IsNew(foreignKey.Schema, foreignKey.Table):
                    PlanNotValidConstraint(context, foreignKey, foreignKey.Schema, foreignKey.Table, foreignKey.Name, "foreign key",
                        $"SHARE ROW EXCLUSIVE on {SqlIdentifier.Qualify(foreignKey.Schema, foreignKey.Table)} and {SqlIdentifier.Qualify(foreignKey.PrincipalSchema, foreignKey.PrincipalTable)}, brief (no scan)");
                    return;
                case AddCheckConstraintOperation check when !context.IsNew(check.Schema, check.Table):
                    PlanNotValidConstraint(context, check, check.Schema, check.Table, check.Name, "check constraint",
                        $"ACCESS EXCLUSIVE on {SqlIdentifier.Qualify(check.Schema, check.Table)}, brief (no scan)");
                    return;
                case AlterColumnOperation alter when !context.IsNew(alter.Schema, alter.Table):
                    PlanAlterColumn(context, alter);
                    return;
                case AddUniqueConstraintOperation unique when !context.IsNew(unique.Schema, unique.Table):
                    PlanKeyThroughIndex(context, unique.Schema, unique.Table, unique.Name, unique.Columns, "UNIQUE");
                    return;
                case AddPrimaryKeyOperation primaryKey when !context.IsNew(primaryKey.Schema, primaryKey.Table):
                    PlanKeyThroughIndex(context, primaryKey.Schema, primaryKey.Table, primaryKey.Name, primaryKey.Columns, "PRIMARY KEY");
                    return;
                default:
                    PlanAsIs(context, operation);
                    return;
            }
        }

        private void PlanAsIs(PlanContext context, MigrationOperation operation)
        {
            IReadOnlyList<MigrationCommand> commands = _catalog.GenerateSql(new[] { operation }, context.Model);
            string? warning = context.IsNewTableOperation(operation) ? null : Hazard(context, operation);
            string description = Describe(operation);
            bool rawSql = operation is SqlOperation;

            // Consecutive commands with the same transaction policy form one step.
            var groups = new List<(bool Suppressed, List<string> Texts)>();
            foreach (MigrationCommand command in commands)
            {
                bool suppressed = command.TransactionSuppressed;
                if (groups.Count > 0 && groups[groups.Count - 1].Suppressed == suppressed && !suppressed)
                    groups[groups.Count - 1].Texts.Add(command.CommandText);
                else
                    groups.Add((suppressed, new List<string> { command.CommandText }));
            }

            foreach (var (suppressed, texts) in groups)
            {
                string sql = string.Join("\n", texts.Select(t => t.Trim()));
                IReadOnlyList<SqlStatement> statements = StatementScanner.Scan(sql);
                RuntimeJudgement judged = JudgeAtRunTime(context, operation, statements, suppressed);
                if (judged.Batches is not null)
                {
                    RuntimeSqlRewriter.PlanBatches(judged, context.Add);
                    warning = null;
                    continue;
                }
                if (judged.Planned is not null)
                {
                    PlanRuntimeRewrite(context, judged);
                    warning = null;
                    continue;
                }
                foreach (string piece in judged.Pieces ?? new[] { sql })
                {
                    IReadOnlyList<SqlStatement> pieceStatements = judged.Pieces is null ? statements : StatementScanner.Scan(piece);
                    StatementFacts facts = StatementFacts.Combine(pieceStatements.Select(StatementFacts.Of).ToList());
                    // A CONCURRENTLY statement cannot run in a transaction block, whatever the migration says.
                    var transaction = suppressed || facts.Concurrently ? StepTransaction.None : StepTransaction.Own;
                    string? timeZoneNote = null;
                    TimestampTzIndexes? timeZoneIndexes = rawSql && judged.Pieces is null && judged.Warning is null
                        ? TimestampTzIndexes.ForRawSql(pieceStatements, context.Sql.TimeZone.IsUtc, out timeZoneNote) : null;
                    if (timeZoneIndexes is not null && context.Sql.IsNew(new QualifiedName(timeZoneIndexes.Schema, timeZoneIndexes.Table)))
                        timeZoneIndexes = null;
                    PlanStep step = timeZoneIndexes is not null
                        ? context.Add("sql", description, piece, StepTransaction.None, timeZoneIndexes.RawSqlLock)
                        : judged.Pieces is null
                        ? context.Add(rawSql ? "sql" : facts.Kind, description, piece, transaction, timeZoneNote is null ? facts.Lock : $"{facts.Lock}; {timeZoneNote}")
                        : context.Add(facts.Kind, "sql: " + Shorten(piece), piece, transaction, facts.Lock);
                    ApplyFacts(step, facts, context.IsNewTableOperation(operation));
                    timeZoneIndexes?.AttachToRawStep(step);
                    step.Warning = warning ?? judged.Warning;
                    step.RuleNote = judged.Note;
                    if (judged.Pieces is not null)
                        step.RewrittenFrom = Shorten(sql);
                    warning = null;
                }
            }
        }

        /// <summary>A lone raw statement rewritten with the steps the planner gives the same EF operation.</summary>
        private static void PlanRuntimeRewrite(PlanContext context, RuntimeJudgement judged)
        {
            StatementFinding finding = judged.Planned!;
            QualifiedName table = finding.Statement.Table!;
            int first = context.Steps.Count;
            switch (finding.Rewrite)
            {
                case SafeRewrite.NotNullThroughCheck:
                    PlanNotNullThroughCheck(context, table.Schema, table.Name, finding.Action!.Column!);
                    break;
                case SafeRewrite.KeyThroughIndex:
                    AlterTableAction key = finding.Action!;
                    PlanKeyThroughIndex(context, table.Schema, table.Name, key.Name!, key.Columns.ToArray(),
                        key.Constraint == ConstraintKind.PrimaryKey ? "PRIMARY KEY" : "UNIQUE");
                    break;
            }
            foreach (PlanStep step in context.Steps.Skip(first))
                step.RuleNote = judged.Note;
        }

        /// <summary>
        /// The analyzers' statement rules on the SQL about to run; raw SQL gets the safe rewrites. EF's keyed data
        /// operations and statements on tables this migration created are left alone, as the analyzers leave them.
        /// </summary>
        private static RuntimeJudgement JudgeAtRunTime(PlanContext context, MigrationOperation operation, IReadOnlyList<SqlStatement> statements, bool suppressed)
        {
            RuntimeJudgement judged;
            if (context.IsNewTableOperation(operation) || operation is InsertDataOperation || operation is UpdateDataOperation || operation is DeleteDataOperation)
            {
                context.Sql.Ran(statements, suppressed);
                judged = RuntimeJudgement.Clean;
            }
            else
            {
                judged = RuntimeSqlRewriter.Judge(statements, context.Sql, context.Phase == MigrationPhase.Contract, suppressed);
            }
            foreach (SqlStatement created in statements.Where(s => s.Kind == StatementKind.CreateTable && s.Table is not null))
                context.CreatedTables.Add(Key(created.Table!.Schema, created.Table.Name));
            return operation is SqlOperation || judged.Warning is not null ? judged : RuntimeSqlRewriter.ReportOnly(judged);
        }

        internal static void ApplyFacts(PlanStep step, StatementFacts facts, bool onNewTable)
        {
            step.VerificationSql = facts.Verification;
            step.VerificationDescription = facts.VerificationDescription;
            step.SkipWhenVerified = facts.Idempotent;
            step.UndoSql = facts.Undo;
            // Steps on a table created by the same migration are undone by dropping that table.
            step.NoUndoNeeded = facts.NoUndoNeeded || onNewTable;
            if (onNewTable)
                step.UndoSql = step.Kind == "create-table" ? facts.Undo : null;
        }

        private void PlanCreateIndex(PlanContext context, CreateIndexOperation index)
        {
            bool annotated = index[NpgsqlCreatedConcurrently] is true;
            if (annotated)
                context.Sql.Commit(); // plain EF runs the concurrent build outside its transaction
            index[NpgsqlCreatedConcurrently] = true;
            foreach (MigrationCommand command in _catalog.GenerateSql(new[] { index }, context.Model))
            {
                string sql = command.CommandText.Trim();
                SqlStatement statement = StatementScanner.Classify(sql);
                if (statement.Kind == StatementKind.CreateIndex && !statement.Concurrently)
                {
                    // A provider without the annotation: add the keyword ourselves (same index otherwise).
                    sql = Regex.Replace(sql, @"^CREATE\s+(UNIQUE\s+)?INDEX\s+", m => m.Value + "CONCURRENTLY ", RegexOptions.IgnoreCase);
                    statement = StatementScanner.Classify(sql);
                }
                StatementFacts facts = StatementFacts.Of(statement);
                var transaction = statement.Kind == StatementKind.CreateIndex || command.TransactionSuppressed ? StepTransaction.None : StepTransaction.Own;
                string description = statement.Kind == StatementKind.CreateIndex
                    ? $"create {(index.IsUnique ? "unique " : string.Empty)}index {SqlIdentifier.Quote(index.Name)} concurrently"
                    : Describe(index);
                PlanStep step = context.Add(facts.Kind, description, sql, transaction, facts.Lock);
                ApplyFacts(step, facts, onNewTable: false);
                if (!annotated && statement.Kind == StatementKind.CreateIndex)
                    step.RewrittenFrom = "CREATE INDEX (SHARE lock: blocks writes for the whole build)";
            }
        }

        private static void PlanDropIndex(PlanContext context, DropIndexOperation drop)
        {
            string qualified = SqlIdentifier.Qualify(drop.Schema, drop.Name);
            PlanStep step = context.Add(
                "drop-index-concurrently",
                $"drop index {SqlIdentifier.Quote(drop.Name)} concurrently",
                $"DROP INDEX CONCURRENTLY IF EXISTS {qualified};",
                StepTransaction.None,
                "SHARE UPDATE EXCLUSIVE on the index's table (reads and writes go on)");
            step.VerificationSql = CatalogChecks.RelationGone(drop.Schema, drop.Name);
            step.VerificationDescription = "index gone";
            step.SkipWhenVerified = true;
            step.RewrittenFrom = "DROP INDEX (ACCESS EXCLUSIVE: blocks reads and writes)";
        }

        private void PlanNotValidConstraint(PlanContext context, MigrationOperation operation, string? schema, string table, string name, string what, string addLock)
        {
            string sql = string.Join("\n", _catalog.GenerateSql(new[] { operation }, context.Model).Select(c => c.CommandText.Trim()));
            IReadOnlyList<SqlStatement> statements = StatementScanner.Scan(sql);
            if (statements.Count != 1 || statements[0].Kind != StatementKind.AlterTable)
            {
                PlanAsIs(context, operation);
                return;
            }
            // Plain EF adds it validated: it proves a NOT NULL for a later SET NOT NULL, as the analyzers count it.
            context.Sql.Ran(statements, suppressed: false);

            string qualified = SqlIdentifier.Qualify(schema, table);
            string notValid = statements[0].Text.Trim().TrimEnd(';').TrimEnd() + " NOT VALID;";
            PlanStep add = context.Add("add-constraint-not-valid", $"add {what} {SqlIdentifier.Quote(name)} NOT VALID", notValid, StepTransaction.Own, addLock);
            add.VerificationSql = CatalogChecks.ConstraintExists(schema, table, name, validated: false);
            add.VerificationDescription = "constraint exists";
            add.SkipWhenVerified = true;
            add.UndoSql = $"ALTER TABLE {qualified} DROP CONSTRAINT IF EXISTS {SqlIdentifier.Quote(name)};";
            add.RewrittenFrom = $"ADD {what.ToUpperInvariant()} (validates every row while holding the lock)";

            PlanStep validate = context.Add(
                "validate-constraint",
                $"validate {what} {SqlIdentifier.Quote(name)}",
                $"ALTER TABLE {qualified} VALIDATE CONSTRAINT {SqlIdentifier.Quote(name)};",
                StepTransaction.Own,
                $"SHARE UPDATE EXCLUSIVE on {qualified} (reads and writes go on during the scan)");
            validate.VerificationSql = CatalogChecks.ConstraintExists(schema, table, name, validated: true);
            validate.VerificationDescription = "constraint validated";
            validate.SkipWhenVerified = true;
            validate.NoUndoNeeded = true;
        }

        private void PlanAlterColumn(PlanContext context, AlterColumnOperation alter)
        {
            bool becomesNotNull = alter.OldColumn.IsNullable && !alter.IsNullable;
            string qualified = SqlIdentifier.Qualify(alter.Schema, alter.Table);
            string? warning = Hazard(context, alter);
            TimestampTzIndexes? timeZoneIndexes = TimestampTzIndexes.For(alter, context.Sql.TimeZone.IsUtc);
            var pending = new List<string>();

            void Flush()
            {
                if (pending.Count == 0)
                    return;
                string sql = string.Join("\n", pending);
                IReadOnlyList<SqlStatement> statements = StatementScanner.Scan(sql);
                StatementFacts facts = StatementFacts.Combine(statements.Select(StatementFacts.Of).ToList());
                TimestampTzIndexes? recipe = statements.Any(st => st.Actions.Any(a => a.Kind == AlterTableActionKind.AlterColumnType)) ? timeZoneIndexes : null;
                PlanStep step = recipe is null
                    ? context.Add("alter-column", $"alter column {SqlIdentifier.Quote(alter.Name)} of {qualified}", sql, StepTransaction.Own, facts.Lock)
                    : context.Add("alter-column", $"alter column {SqlIdentifier.Quote(alter.Name)} of {qualified}, its plain indexes dropped and rebuilt concurrently", sql, StepTransaction.None, recipe.Lock);
                AlterColumnUndo.Apply(step, alter, statements, () => StatementScanner.Scan(string.Join("\n",
                    _catalog.GenerateSql(new[] { AlterColumnUndo.Inverse(alter) }, null).Select(c => c.CommandText))));
                if (recipe is not null)
                {
                    step.TimeZoneIndexes = recipe;
                    step.VerificationSql = recipe.Verification;
                    step.VerificationDescription = "column of the new type; its plain indexes back, valid, same definition";
                    step.RewrittenFrom = "ALTER COLUMN TYPE (rebuilds every index on the column under ACCESS EXCLUSIVE)";
                    if (step.NoUndoReason is not null)
                        step.NoUndoReason += "; if this step was interrupted part way (indexes dropped, not yet built again), rerun apply to finish it first";
                    timeZoneIndexes = null; // the rest of the operation (if any) runs as usual
                }
                step.Warning = warning;
                warning = null;
                pending.Clear();
            }

            foreach (MigrationCommand command in _catalog.GenerateSql(new[] { alter }, context.Model))
            {
                foreach (SqlStatement statement in StatementScanner.Scan(command.CommandText))
                {
                    string text = statement.Text.Trim();
                    Match update = EfNullUpdate.Match(text);
                    if (becomesNotNull && statement.Kind == StatementKind.Update && update.Success)
                    {
                        Flush();
                        string set = update.Groups["set"].Value;
                        string where = update.Groups["where"].Value;
                        PlanStep backfill = context.Add(
                            "backfill",
                            $"fill NULLs of {SqlIdentifier.Quote(alter.Name)} in batches",
                            $"UPDATE {qualified} SET {set} WHERE {where} -- in keyset batches",
                            StepTransaction.Batched,
                            $"ROW EXCLUSIVE on {qualified}; each batch's rows locked until that batch commits");
                        backfill.Backfill = new BackfillSpec(alter.Schema, alter.Table, set, where, null, null);
                        backfill.VerificationSql = CatalogChecks.NoRowMatches(alter.Schema, alter.Table, where);
                        backfill.VerificationDescription = "no row left to fill";
                        backfill.NoUndoNeeded = true;
                        backfill.RewrittenFrom = "one UPDATE of every NULL row (all of them locked until commit)";
                    }
                    else if (becomesNotNull && statement.Kind == StatementKind.AlterTable && statement.Actions.Count == 1 && statement.Actions[0].Kind == AlterTableActionKind.SetNotNull)
                    {
                        Flush();
                        PlanNotNullThroughCheck(context, alter.Schema, alter.Table, alter.Name);
                    }
                    else
                    {
                        pending.Add(text.EndsWith(";", StringComparison.Ordinal) ? text : text + ";");
                    }
                }
            }
            Flush();
        }

        private static void PlanNotNullThroughCheck(PlanContext context, string? schema, string table, string column)
        {
            string qualified = SqlIdentifier.Qualify(schema, table);
            string check = CheckName(table, column);
            string quotedCheck = SqlIdentifier.Quote(check);
            string quotedColumn = SqlIdentifier.Quote(column);
            const string rewritten = "SET NOT NULL (scans the whole table under ACCESS EXCLUSIVE)";

            PlanStep add = context.Add("add-constraint-not-valid", $"add check {quotedCheck} ({quotedColumn} IS NOT NULL) NOT VALID",
                $"ALTER TABLE {qualified} ADD CONSTRAINT {quotedCheck} CHECK ({quotedColumn} IS NOT NULL) NOT VALID;",
                StepTransaction.Own, $"ACCESS EXCLUSIVE on {qualified}, brief (no scan)");
            add.VerificationSql = CatalogChecks.ConstraintExists(schema, table, check, validated: false);
            add.VerificationDescription = "check exists";
            add.UndoSql = $"ALTER TABLE {qualified} DROP CONSTRAINT IF EXISTS {quotedCheck};";
            add.RewrittenFrom = rewritten;

            PlanStep validate = context.Add("validate-constraint", $"validate check {quotedCheck}",
                $"ALTER TABLE {qualified} VALIDATE CONSTRAINT {quotedCheck};",
                StepTransaction.Own, $"SHARE UPDATE EXCLUSIVE on {qualified} (reads and writes go on during the scan)");
            validate.VerificationSql = CatalogChecks.ConstraintExists(schema, table, check, validated: true);
            validate.VerificationDescription = "check validated";
            validate.NoUndoNeeded = true;
            validate.RewrittenFrom = rewritten;

            PlanStep setNotNull = context.Add("set-not-null", $"set {quotedColumn} NOT NULL",
                $"ALTER TABLE {qualified} ALTER COLUMN {quotedColumn} SET NOT NULL;",
                StepTransaction.Own, $"ACCESS EXCLUSIVE on {qualified}, brief (the validated check spares the scan)");
            setNotNull.VerificationSql = CatalogChecks.ColumnExists(schema, table, column, notNull: true);
            setNotNull.VerificationDescription = "column NOT NULL";
            setNotNull.SkipWhenVerified = true;
            setNotNull.UndoSql = $"ALTER TABLE {qualified} ALTER COLUMN {quotedColumn} DROP NOT NULL;";
            setNotNull.RewrittenFrom = rewritten;

            PlanStep drop = context.Add("drop-constraint", $"drop helper check {quotedCheck}",
                $"ALTER TABLE {qualified} DROP CONSTRAINT IF EXISTS {quotedCheck};",
                StepTransaction.Own, $"ACCESS EXCLUSIVE on {qualified}, brief");
            drop.VerificationSql = CatalogChecks.ConstraintGone(schema, table, check);
            drop.VerificationDescription = "helper check gone";
            drop.NoUndoNeeded = true;
            drop.RewrittenFrom = rewritten;
        }

        private static void PlanKeyThroughIndex(PlanContext context, string? schema, string table, string name, string[] columns, string constraintType)
        {
            string qualified = SqlIdentifier.Qualify(schema, table);
            string quotedName = SqlIdentifier.Quote(name);
            string rewritten = $"ADD {constraintType} (builds the index under ACCESS EXCLUSIVE)";

            PlanStep index = context.Add("create-index-concurrently", $"create unique index {quotedName} concurrently",
                $"CREATE UNIQUE INDEX CONCURRENTLY {quotedName} ON {qualified} ({string.Join(", ", columns.Select(SqlIdentifier.Quote))});",
                StepTransaction.None, $"SHARE UPDATE EXCLUSIVE on {qualified} (reads and writes go on during the build)");
            index.VerificationSql = CatalogChecks.IndexValid(schema, name);
            index.VerificationDescription = "index valid";
            index.UndoSql = $"DROP INDEX CONCURRENTLY IF EXISTS {SqlIdentifier.Qualify(schema, name)};";
            index.RewrittenFrom = rewritten;

            PlanStep attach = context.Add("add-constraint-using-index", $"add {constraintType.ToLowerInvariant()} {quotedName} using the index",
                $"ALTER TABLE {qualified} ADD CONSTRAINT {quotedName} {constraintType} USING INDEX {quotedName};",
                StepTransaction.Own, $"ACCESS EXCLUSIVE on {qualified}, brief (the index is already built)");
            attach.VerificationSql = CatalogChecks.ConstraintExists(schema, table, name, validated: false);
            attach.VerificationDescription = "constraint exists";
            attach.SkipWhenVerified = true;
            attach.UndoSql = $"ALTER TABLE {qualified} DROP CONSTRAINT IF EXISTS {quotedName};";
            attach.RewrittenFrom = rewritten;
        }

        /// <summary>An operation carrying a <c>SafeMigrations:Step</c> annotation, planned by its kind's plan (Planning/Steps).</summary>
        private static void PlanAnnotated(PlanContext context, SqlOperation operation, string safeStep)
        {
            var annotated = new SafeStepOperation(operation, safeStep, context.ExpandSafeSteps.ToArray());
            if (context.Phase == MigrationPhase.Expand)
                context.ExpandSafeSteps.Add(annotated);
            context.Sql.Ran(StatementScanner.Scan(annotated.Sql), operation.SuppressTransaction);
            ISafeStepPlan plan = SafeStepPlans.For(safeStep);
            PlanStep step = plan.Plan(annotated, context);
            step.SafeStep = safeStep;
            plan.Verify(step, annotated);
            plan.Undo(step, annotated);
        }

        private static string? Hazard(PlanContext context, MigrationOperation operation)
        {
            switch (operation)
            {
                case AlterColumnOperation alter when alter.ColumnType is not null && alter.OldColumn.ColumnType is not null
                        && ColumnTypes.Classify(alter.OldColumn.ColumnType, alter.ColumnType) == TypeChangeSafety.Rewrite
                        && !(context.Sql.TimeZone.IsUtc && ColumnTypes.IsRewriteFreeUnderUtc(alter.OldColumn.ColumnType, alter.ColumnType)):
                    return $"changing {SqlIdentifier.Quote(alter.Name)} from {alter.OldColumn.ColumnType} to {alter.ColumnType} rewrites {SqlIdentifier.Qualify(alter.Schema, alter.Table)} and its indexes under ACCESS EXCLUSIVE (reads and writes blocked for the whole rewrite); " +
                           "use a new column + CreateSyncTrigger + Backfill + SwapColumns (contract drops the old one)";
                case AddColumnOperation add when add.DefaultValueSql is not null && DefaultExpressions.IsVolatile(add.DefaultValueSql):
                    return $"adding {SqlIdentifier.Quote(add.Name)} with the volatile default {add.DefaultValueSql} rewrites {SqlIdentifier.Qualify(add.Schema, add.Table)} under ACCESS EXCLUSIVE; " +
                           "add it nullable without a default, set the default, Backfill in batches, then SetNotNullThroughCheck";
                case AddColumnOperation add when add.ComputedColumnSql is not null && add.IsStored == true:
                    return $"adding the stored generated column {SqlIdentifier.Quote(add.Name)} rewrites {SqlIdentifier.Qualify(add.Schema, add.Table)} under ACCESS EXCLUSIVE; add a plain column, fill it with a sync trigger and a Backfill";
                case AddColumnOperation add when add.GetAnnotations().Any(a => a.Name == "Npgsql:ValueGenerationStrategy" && a.Value is not null && (a.Value.ToString()!.Contains("Identity") || a.Value.ToString()!.Contains("Serial"))):
                    return $"adding the identity/serial column {SqlIdentifier.Quote(add.Name)} rewrites {SqlIdentifier.Qualify(add.Schema, add.Table)} under ACCESS EXCLUSIVE; add it nullable, Backfill from a sequence, then SetNotNullThroughCheck";
                case AddColumnOperation add when !add.IsNullable && add.DefaultValue is null && add.DefaultValueSql is null && add.ComputedColumnSql is null:
                    return $"adding {SqlIdentifier.Quote(add.Name)} NOT NULL without a default fails on a table that has rows; give it a default, or add it nullable + Backfill + SetNotNullThroughCheck";
                case DropColumnOperation drop when context.Phase == MigrationPhase.Expand:
                    return $"dropping {SqlIdentifier.Quote(drop.Name)} in the expand phase breaks the running app version, which still selects it; stop mapping it, then drop it in the contract phase (.InContractPhase())";
                case DropTableOperation drop when context.Phase == MigrationPhase.Expand:
                    return $"dropping {SqlIdentifier.Qualify(drop.Schema, drop.Name)} in the expand phase breaks the running app version; drop it in the contract phase (.InContractPhase())";
                case RenameColumnOperation rename when context.Phase == MigrationPhase.Expand:
                    return $"renaming {SqlIdentifier.Quote(rename.Name)} to {SqlIdentifier.Quote(rename.NewName)} breaks the running app version; add the new column + a two-way CreateSyncTrigger + Backfill, drop the old one in contract";
                case RenameTableOperation rename when context.Phase == MigrationPhase.Expand:
                    return $"renaming {SqlIdentifier.Qualify(rename.Schema, rename.Name)} breaks the running app version; keep a CreateCompatibilityView under the old name until contract";
                default:
                    return null;
            }
        }

        private static string Describe(MigrationOperation operation)
        {
            switch (operation)
            {
                case CreateTableOperation o: return $"create table {SqlIdentifier.Qualify(o.Schema, o.Name)}";
                case DropTableOperation o: return $"drop table {SqlIdentifier.Qualify(o.Schema, o.Name)}";
                case AddColumnOperation o: return $"add column {SqlIdentifier.Quote(o.Name)} to {SqlIdentifier.Qualify(o.Schema, o.Table)}";
                case DropColumnOperation o: return $"drop column {SqlIdentifier.Quote(o.Name)} of {SqlIdentifier.Qualify(o.Schema, o.Table)}";
                case AlterColumnOperation o: return $"alter column {SqlIdentifier.Quote(o.Name)} of {SqlIdentifier.Qualify(o.Schema, o.Table)}";
                case RenameColumnOperation o: return $"rename column {SqlIdentifier.Quote(o.Name)} to {SqlIdentifier.Quote(o.NewName)}";
                case RenameTableOperation o: return $"rename table {SqlIdentifier.Qualify(o.Schema, o.Name)}";
                case CreateIndexOperation o: return $"create index {SqlIdentifier.Quote(o.Name)}";
                case DropIndexOperation o: return $"drop index {SqlIdentifier.Quote(o.Name)}";
                case AddForeignKeyOperation o: return $"add foreign key {SqlIdentifier.Quote(o.Name)}";
                case DropForeignKeyOperation o: return $"drop foreign key {SqlIdentifier.Quote(o.Name)}";
                case AddPrimaryKeyOperation o: return $"add primary key {SqlIdentifier.Quote(o.Name)}";
                case DropPrimaryKeyOperation o: return $"drop primary key {SqlIdentifier.Quote(o.Name)}";
                case AddUniqueConstraintOperation o: return $"add unique constraint {SqlIdentifier.Quote(o.Name)}";
                case AddCheckConstraintOperation o: return $"add check constraint {SqlIdentifier.Quote(o.Name)}";
                case SqlOperation o: return "sql: " + Shorten(o.Sql);
                default: return Kebab(operation.GetType().Name.Replace("Operation", string.Empty));
            }
        }

        private static string Shorten(string sql)
        {
            string oneLine = Regex.Replace(sql.Trim(), @"\s+", " ");
            return oneLine.Length <= 60 ? oneLine : oneLine.Substring(0, 57) + "...";
        }

        internal static string Kebab(string name) => Regex.Replace(name, "(?<=[a-z0-9])([A-Z])", "-$1").ToLowerInvariant();

        /// <summary>The helper check's name, kept within PostgreSQL's 63-byte identifiers.</summary>
        internal static string CheckName(string table, string column)
        {
            string name = $"CK_{table}_{column}_not_null";
            if (Encoding.UTF8.GetByteCount(name) <= 63)
                return name;
            byte[] hash;
            using (var sha = SHA256.Create())
                hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
            string suffix = "_" + BitConverter.ToString(hash, 0, 4).Replace("-", string.Empty).ToLowerInvariant();
            string prefix = name;
            while (Encoding.UTF8.GetByteCount(prefix) > 63 - suffix.Length)
                prefix = prefix.Substring(0, prefix.Length - 1);
            return prefix + suffix;
        }

        private static string Key(string? schema, string table) => (schema ?? string.Empty) + "\u0001" + table;

        private sealed class PlanContext : IPlanDraft
        {
            private readonly MigrationCatalog _catalog;

            public PlanContext(MigrationCatalog catalog, string migrationId, Migration migration, IModel? model, IReadOnlyList<MigrationOperation> operations)
            {
                _catalog = catalog;
                MigrationId = migrationId;
                Migration = migration;
                Model = model;
                Sql = new MigrationSqlHistory(table => IsNew(table.Schema, table.Name), operations);
            }

            /// <summary>The migration's SQL as plain EF runs it, for the run-time judgement of later steps.</summary>
            public MigrationSqlHistory Sql { get; }

            public string MigrationId { get; }
            public Migration Migration { get; }
            public IModel? Model { get; }
            public MigrationPhase Phase { get; set; }
            public HashSet<string> CreatedTables { get; } = new HashSet<string>(StringComparer.Ordinal);
            public List<PlanStep> Steps { get; } = new List<PlanStep>();
            public List<SafeStepOperation> ExpandSafeSteps { get; } = new List<SafeStepOperation>();

            public bool IsNew(string? schema, string table) => CreatedTables.Contains(Key(schema, table));

            public bool IsNewTableOperation(MigrationOperation operation) => operation switch
            {
                CreateTableOperation => true,
                ITableMigrationOperation tableOperation => IsNew(tableOperation.Schema, tableOperation.Table),
                _ => false,
            };

            public PlanStep Add(string kind, string description, string sql, StepTransaction transaction, string lockTaken)
            {
                var step = new PlanStep(MigrationId, Phase, kind, description, sql, transaction, lockTaken);
                Steps.Add(step);
                return step;
            }

            public IReadOnlyList<MigrationCommand> GenerateSql(MigrationOperation operation) => _catalog.GenerateSql(new[] { operation }, Model);
        }
    }
}
