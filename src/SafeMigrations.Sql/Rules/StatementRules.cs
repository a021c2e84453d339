using System.Collections.Generic;
using System.Linq;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// The judgement of single SQL statements by the analyzer rules that read raw SQL (SM0001, SM0008, SM0009, SM0015; SM0016 in HeavyLockStatements; the schema-change rules in StatementRules.Schema.cs):
    /// statement in, findings out. The analyzers call it for <c>migrationBuilder.Sql("...")</c> constants and add what
    /// only the C# source shows (tables created earlier, small tables, Down undoing Up); the engine calls it for the SQL
    /// text it is about to run, wherever that text came from.
    /// </summary>
    public static partial class StatementRules
    {
        public static readonly StatementRule CreateIndexNonConcurrently = new StatementRule(
            "SM0001",
            title: "Create indexes on existing tables concurrently",
            messageFormat: "{0} on existing table '{1}' takes a SHARE lock that blocks all writes to '{1}' for the whole index build; create it concurrently: .Annotation(\"Npgsql:CreatedConcurrently\", true) (or CREATE INDEX CONCURRENTLY with suppressTransaction: true)",
            description: "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table until the migration commits: every INSERT, UPDATE and DELETE waits for the whole index build, which grows with the table. Build it with CREATE INDEX CONCURRENTLY outside a transaction instead.");

        public static readonly StatementRule AddForeignKeyValidated = new StatementRule(
            "SM0008",
            title: "Add foreign keys NOT VALID and validate them separately",
            messageFormat: "{0} scans every row of '{1}' to validate it while holding {2} until the migration commits: {3}; add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later migration (or in its own Sql(..., suppressTransaction: true) call)",
            description: "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on the dependent and the principal table and checks every existing row before the migration commits: inserts, updates and deletes on both tables wait for the whole scan. Add the constraint NOT VALID (brief lock, new rows are checked) and run VALIDATE CONSTRAINT, which only takes SHARE UPDATE EXCLUSIVE, in a later transaction.");

        public static readonly StatementRule AddCheckConstraintValidated = new StatementRule(
            "SM0009",
            title: "Add check constraints NOT VALID and validate them separately",
            messageFormat: "{0} scans every row of '{1}' while holding ACCESS EXCLUSIVE on '{1}' until the migration commits: every read and write of '{1}' waits for the whole scan; add the check NOT VALID, then VALIDATE CONSTRAINT in a later migration (or in its own Sql(..., suppressTransaction: true) call)",
            description: "ADD CONSTRAINT ... CHECK takes ACCESS EXCLUSIVE on the table and evaluates the expression for every existing row before the migration commits: all reads and writes of the table wait for the whole scan. Add the constraint NOT VALID (brief lock, new rows are checked) and run VALIDATE CONSTRAINT, which only takes SHARE UPDATE EXCLUSIVE, in a later transaction.");

        public static readonly StatementRule UnbatchedDataChange = new StatementRule(
            "SM0015",
            title: "Update and delete rows of existing tables in batches",
            messageFormat: "{0} on '{1}' changes every matching row in one statement: it holds a row lock on each of them until the migration commits, blocking every concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows, and writes a burst of WAL and dead tuples; change the rows in keyset batches (WHERE id > @last ORDER BY id LIMIT n), each batch in its own transaction",
            description: "A single UPDATE or DELETE over many rows locks every row it touches until the migration's transaction commits; the application's writes to those rows wait for the whole migration. It also produces a burst of WAL (replication lag) and leaves as many dead tuples for vacuum. Process the rows in keyset batches of a few thousand, each in its own short transaction.");

        /// <summary>Text shared by SM0008's findings on a table foreign key.</summary>
        public const string ForeignKeyBlocksWrites = "inserts, updates and deletes on both tables wait for the whole scan";

        /// <summary>
        /// Every finding of every statement rule on <paramref name="statement"/>, in rule order (SM0016's naming all the
        /// statement's tables), for a server of <paramref name="postgresVersion"/> (the analyzers' default: 12) and a
        /// session whose TimeZone is UTC or not (<paramref name="sessionIsUtc"/>: SM0007's timestamp changes).
        /// </summary>
        public static IReadOnlyList<StatementFinding> Judge(SqlStatement statement, int postgresVersion = 12, bool sessionIsUtc = false) =>
            CreateIndex(statement).Concat(ForeignKeys(statement)).Concat(Checks(statement)).Concat(DataChanges(statement))
                .Concat(HeavyLockStatements.Judge(statement, postgresVersion).Select(j => HeavyLockStatements.ToFinding(statement, j)))
                .Concat(SchemaChanges(statement, postgresVersion, sessionIsUtc))
                .ToList();

        /// <summary>SM0001: CREATE INDEX without CONCURRENTLY.</summary>
        public static IEnumerable<StatementFinding> CreateIndex(SqlStatement sql)
        {
            if (sql.Kind == StatementKind.CreateIndex && !sql.Concurrently)
            {
                var what = sql.Index is null ? "CREATE INDEX" : "CREATE INDEX '" + sql.Index.Name + "'";
                yield return new StatementFinding(CreateIndexNonConcurrently, sql, null, SafeRewrite.Concurrently, what, sql.Table?.ToString() ?? "?");
            }
        }

        /// <summary>SM0008: ALTER TABLE ... ADD FOREIGN KEY without NOT VALID, and validated inline REFERENCES of new columns.</summary>
        public static IEnumerable<StatementFinding> ForeignKeys(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                yield break;
            var table = sql.Table.ToString();
            var validatesNewColumns = ValidatesInlineReferences(sql);
            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.ForeignKey && !action.NotValid)
                {
                    var what = action.Name is null ? "ADD FOREIGN KEY" : "ADD CONSTRAINT '" + action.Name + "' FOREIGN KEY";
                    yield return new StatementFinding(AddForeignKeyValidated, sql, action, RewriteOfConstraint(sql, action), what, table, ForeignKeyWriteLocks(table, action.ReferencedTable?.ToString()), ForeignKeyBlocksWrites);
                }
                else if (action.Kind == AlterTableActionKind.AddColumn && validatesNewColumns && action.InlineConstraints.Contains(ConstraintKind.ForeignKey))
                {
                    var principal = action.ReferencedTable?.ToString() ?? "?";
                    yield return new StatementFinding(
                        AddForeignKeyValidated,
                        sql,
                        action,
                        SafeRewrite.None,
                        "ADD COLUMN '" + action.Column + "' ... REFERENCES (validated because the statement sets a default or adds a table foreign key)",
                        table,
                        "ACCESS EXCLUSIVE on '" + table + "' and SHARE ROW EXCLUSIVE on '" + principal + "'",
                        "every query on '" + table + "' and every write to '" + principal + "' waits for the whole scan");
                }
            }
        }

        /// <summary>SM0009: ALTER TABLE ... ADD CHECK without NOT VALID, and CHECKs on new columns.</summary>
        public static IEnumerable<StatementFinding> Checks(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                yield break;
            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.Check && !action.NotValid)
                {
                    var what = action.Name is null ? "ADD CHECK" : "ADD CONSTRAINT '" + action.Name + "' CHECK";
                    yield return new StatementFinding(AddCheckConstraintValidated, sql, action, RewriteOfConstraint(sql, action), what, sql.Table.ToString());
                }
                else if (action.Kind == AlterTableActionKind.AddColumn && action.InlineConstraints.Contains(ConstraintKind.Check) && !action.NotValid)
                {
                    // A new column's CHECK is checked against every existing row (a column constraint cannot be NOT VALID).
                    yield return new StatementFinding(AddCheckConstraintValidated, sql, action, SafeRewrite.None, "ADD COLUMN '" + action.Column + "' ... CHECK", sql.Table.ToString());
                }
            }
        }

        /// <summary>
        /// SM0015: an UPDATE or DELETE (also one inside a WITH clause) that is not bounded to a batch or to single rows.
        /// Only a plain single-table statement can be run in keyset batches: one with FROM/USING, RETURNING or WITH
        /// (its result is used) cannot.
        /// </summary>
        public static IEnumerable<StatementFinding> DataChanges(SqlStatement sql)
        {
            if (IsUnbatchedDataChange(sql))
                yield return new StatementFinding(UnbatchedDataChange, sql, null, DataChangeStatements.Batchable(sql) ? SafeRewrite.KeysetBatches : SafeRewrite.None, sql.Kind == StatementKind.Update ? "UPDATE" : "DELETE", sql.Table!.ToString());
            if (!sql.HasDataModifyingCte)
                yield break;

            // WITH moved AS (DELETE FROM t ... RETURNING *) INSERT INTO archive SELECT * FROM moved:
            // the statement's table is the main statement's; the CTE's target is read on its own.
            foreach (var inner in DataChangeStatements.DataModifyingCtes(sql))
            {
                if (IsUnbatchedDataChange(inner))
                    yield return new StatementFinding(UnbatchedDataChange, inner, null, SafeRewrite.None, (inner.Kind == StatementKind.Update ? "UPDATE" : "DELETE") + " (in a WITH clause)", inner.Table!.ToString());
            }
        }

        /// <summary>An UPDATE or DELETE of a table with no batch bound, no single-row WHERE and no key pinned by constants.</summary>
        public static bool IsUnbatchedDataChange(SqlStatement sql) =>
            (sql.Kind == StatementKind.Update || sql.Kind == StatementKind.Delete)
            && sql.Table is not null && !sql.IsBatched && !sql.TargetsSingleRow && !DataChangeStatements.TargetsConventionalKey(sql);

        /// <summary>SM0008's lock text for a table foreign key.</summary>
        public static string ForeignKeyWriteLocks(string table, string? principal) =>
            "SHARE ROW EXCLUSIVE on '" + table + "' and '" + (principal ?? "?") + "'";

        /// <summary>
        /// PostgreSQL skips the validation of an inline <c>ADD COLUMN ... REFERENCES</c> (the new column is all NULL)
        /// unless some ADD COLUMN of the same statement has a default (serial and stored generated columns have one),
        /// or the statement also adds a table foreign key (parse_utilcmd.c, transformAlterTableStmt: skipValidation).
        /// </summary>
        private static bool ValidatesInlineReferences(SqlStatement statement)
        {
            foreach (var action in statement.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddColumn && (action.DefaultExpression != null || action.Serial || action.GeneratedStored))
                    return true;
                if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.ForeignKey)
                    return true;
            }

            return false;
        }

        /// <summary>A named constraint alone in its ALTER TABLE can be added NOT VALID and validated apart.</summary>
        private static SafeRewrite RewriteOfConstraint(SqlStatement sql, AlterTableAction action) =>
            sql.Actions.Count == 1 && action.Name is not null ? SafeRewrite.NotValidThenValidate : SafeRewrite.None;
    }
}
