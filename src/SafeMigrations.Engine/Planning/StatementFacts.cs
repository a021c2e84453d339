using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>What one SQL statement does to the catalog: its lock, how to verify it, how to undo it.</summary>
    internal sealed class StatementFacts
    {
        public string Kind { get; set; } = "sql";
        public string Lock { get; set; } = "depends on the statement";
        public bool Concurrently { get; set; }
        public string? Verification { get; set; }
        public string? VerificationDescription { get; set; }
        public string? Undo { get; set; }
        public bool NoUndoNeeded { get; set; }
        public bool Idempotent { get; set; }

        public static StatementFacts Of(SqlStatement statement)
        {
            var facts = new StatementFacts();
            QualifiedName? table = statement.Table;
            string on = table is null ? string.Empty : " on " + SqlIdentifier.Qualify(table.Schema, table.Name);
            switch (statement.Kind)
            {
                case StatementKind.CreateTable when table is not null:
                    facts.Kind = "create-table";
                    facts.Lock = "ACCESS EXCLUSIVE on the new table " + SqlIdentifier.Qualify(table.Schema, table.Name) + " (nobody uses it yet)";
                    facts.Verification = CatalogChecks.RelationExists(table.Schema, table.Name);
                    facts.VerificationDescription = "table exists";
                    facts.Undo = $"DROP TABLE IF EXISTS {SqlIdentifier.Qualify(table.Schema, table.Name)};";
                    facts.Idempotent = true;
                    break;
                case StatementKind.CreateIndex when table is not null && statement.Index is not null:
                    string? indexSchema = statement.Index.Schema ?? table.Schema;
                    facts.Concurrently = statement.Concurrently;
                    facts.Kind = statement.Concurrently ? "create-index-concurrently" : "create-index";
                    facts.Lock = statement.Concurrently
                        ? "SHARE UPDATE EXCLUSIVE" + on + " (reads and writes go on during the build)"
                        : "SHARE" + on + " (blocks writes during the whole build)";
                    facts.Verification = CatalogChecks.IndexValid(indexSchema, statement.Index.Name);
                    facts.VerificationDescription = "index valid";
                    facts.Undo = $"DROP INDEX CONCURRENTLY IF EXISTS {SqlIdentifier.Qualify(indexSchema, statement.Index.Name)};";
                    facts.Idempotent = true;
                    break;
                case StatementKind.DropIndex when statement.Indexes.Count == 1:
                    QualifiedName index = statement.Indexes[0];
                    facts.Concurrently = statement.Concurrently;
                    facts.Kind = statement.Concurrently ? "drop-index-concurrently" : "drop-index";
                    facts.Lock = statement.Concurrently
                        ? "SHARE UPDATE EXCLUSIVE on the index's table (reads and writes go on)"
                        : "ACCESS EXCLUSIVE on the index's table (blocks reads and writes)";
                    facts.Verification = CatalogChecks.RelationGone(index.Schema, index.Name);
                    facts.VerificationDescription = "index gone";
                    facts.Idempotent = true;
                    break;
                case StatementKind.AlterTable when table is not null && statement.Actions.Count == 1:
                    OfAlterTable(facts, table, statement.Actions[0], on);
                    break;
                case StatementKind.AlterTable when table is not null && statement.Actions.Count > 1:
                    // Several actions, one statement: each verified and undone in turn. A DROP ... IF EXISTS of a
                    // constraint the same statement adds again only clears a leftover, so it has no state of its own.
                    var added = new HashSet<string>(statement.Actions.Where(a => a.Kind == AlterTableActionKind.AddConstraint && a.Name is not null).Select(a => a.Name!), StringComparer.Ordinal);
                    var parts = new List<StatementFacts>();
                    foreach (AlterTableAction action in statement.Actions)
                    {
                        if (action.Kind == AlterTableActionKind.DropConstraint && action.Name is not null && added.Contains(action.Name))
                            continue;
                        var part = new StatementFacts();
                        OfAlterTable(part, table, action, on);
                        parts.Add(part);
                    }
                    StatementFacts combined = Combine(parts);
                    combined.Idempotent = parts.All(p => p.Idempotent);
                    return combined;
                case StatementKind.AlterTable:
                    facts.Kind = "alter-table";
                    facts.Lock = "ACCESS EXCLUSIVE" + on + ", brief (blocks reads and writes while held)";
                    break;
                case StatementKind.DropTable:
                    facts.Kind = "drop-table";
                    facts.Lock = "ACCESS EXCLUSIVE" + on + ", brief";
                    break;
                case StatementKind.Insert:
                case StatementKind.Update:
                case StatementKind.Delete:
                    facts.Kind = statement.Kind.ToString().ToLowerInvariant();
                    facts.Lock = "ROW EXCLUSIVE" + on + "; the changed rows stay locked until commit";
                    break;
                case StatementKind.CreateFunction:
                    facts.Kind = "create-function";
                    facts.Lock = "none on tables";
                    break;
                case StatementKind.CreateTrigger when table is not null:
                    facts.Kind = "create-trigger";
                    facts.Lock = "SHARE ROW EXCLUSIVE" + on + ", brief (blocks writes while held)";
                    break;
                case StatementKind.Do when IsEmptyBlock(statement.Body):
                    // DO 'BEGIN END': the no-op SM0017's fix runs with suppressTransaction to end EF's transaction.
                    facts.Kind = "no-op";
                    facts.Lock = "none";
                    facts.NoUndoNeeded = true;
                    facts.Idempotent = true;
                    break;
                case StatementKind.Set:
                    // A session or transaction setting (SET LOCAL TimeZone = 'UTC' before a timestamptz change): nothing to undo.
                    facts.Kind = "set";
                    facts.Lock = "none";
                    facts.NoUndoNeeded = true;
                    break;
                case StatementKind.Comment:
                    facts.Kind = "comment";
                    facts.Lock = "SHARE UPDATE EXCLUSIVE" + on;
                    facts.NoUndoNeeded = true;
                    break;
            }
            return facts;
        }

        private static void OfAlterTable(StatementFacts facts, QualifiedName table, AlterTableAction action, string on)
        {
            string qualified = SqlIdentifier.Qualify(table.Schema, table.Name);
            facts.Lock = "ACCESS EXCLUSIVE" + on + ", brief (blocks reads and writes while held)";
            switch (action.Kind)
            {
                case AlterTableActionKind.AddColumn when action.Column is not null:
                    facts.Kind = "add-column";
                    facts.Verification = CatalogChecks.ColumnExists(table.Schema, table.Name, action.Column);
                    facts.VerificationDescription = "column exists";
                    facts.Undo = $"ALTER TABLE {qualified} DROP COLUMN IF EXISTS {SqlIdentifier.Quote(action.Column)};";
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.DropColumn when action.Column is not null:
                    facts.Kind = "drop-column";
                    facts.Verification = CatalogChecks.ColumnGone(table.Schema, table.Name, action.Column);
                    facts.VerificationDescription = "column gone";
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.AddConstraint when action.Name is not null:
                    facts.Kind = action.UsingIndex ? "add-constraint-using-index" : action.NotValid ? "add-constraint-not-valid" : "add-constraint";
                    if (action.Constraint == ConstraintKind.ForeignKey)
                        facts.Lock = "SHARE ROW EXCLUSIVE" + on + " and on the referenced table" + (action.NotValid ? ", brief (no scan)" : " for the whole validating scan");
                    else if (!action.NotValid && !action.UsingIndex)
                        facts.Lock += "; validates by scanning the table while held";
                    facts.Verification = CatalogChecks.ConstraintExists(table.Schema, table.Name, action.Name, validated: false);
                    facts.VerificationDescription = "constraint exists";
                    facts.Undo = $"ALTER TABLE {qualified} DROP CONSTRAINT IF EXISTS {SqlIdentifier.Quote(action.Name)};";
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.ValidateConstraint when action.Name is not null:
                    facts.Kind = "validate-constraint";
                    facts.Lock = "SHARE UPDATE EXCLUSIVE" + on + " (reads and writes go on during the scan)";
                    facts.Verification = CatalogChecks.ConstraintExists(table.Schema, table.Name, action.Name, validated: true);
                    facts.VerificationDescription = "constraint validated";
                    facts.NoUndoNeeded = true;
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.DropConstraint when action.Name is not null:
                    facts.Kind = "drop-constraint";
                    facts.Verification = CatalogChecks.ConstraintGone(table.Schema, table.Name, action.Name);
                    facts.VerificationDescription = "constraint gone";
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.SetNotNull when action.Column is not null:
                    facts.Kind = "set-not-null";
                    facts.Lock += "; scans the table unless a validated CHECK (c IS NOT NULL) proves it";
                    facts.Verification = CatalogChecks.ColumnExists(table.Schema, table.Name, action.Column, notNull: true);
                    facts.VerificationDescription = "column NOT NULL";
                    facts.Undo = $"ALTER TABLE {qualified} ALTER COLUMN {SqlIdentifier.Quote(action.Column)} DROP NOT NULL;";
                    facts.Idempotent = true;
                    break;
                case AlterTableActionKind.DropNotNull:
                case AlterTableActionKind.SetDefault:
                case AlterTableActionKind.DropDefault:
                    facts.Kind = "alter-column";
                    break;
                case AlterTableActionKind.AlterColumnType:
                    facts.Kind = "alter-column-type";
                    break;
                default:
                    facts.Kind = "alter-table";
                    break;
            }
        }

        private static bool IsEmptyBlock(string? body)
        {
            var tokens = body is null ? new List<SqlToken>() : SqlLexer.Tokenize(body).Where(t => !t.IsComment && t.Kind != SqlTokenKind.Semicolon).ToList();
            return tokens.Count == 2 && tokens[0].IsKeyword("begin") && tokens[1].IsKeyword("end");
        }

        /// <summary>Combines the facts of a step's statements: verified only when each is, undone only when each can be.</summary>
        public static StatementFacts Combine(IReadOnlyList<StatementFacts> all)
        {
            if (all.Count == 1)
                return all[0];
            var combined = new StatementFacts
            {
                Kind = all.Count == 0 ? "sql" : all[0].Kind,
                Lock = all.Count == 0 ? "none" : string.Join("; then ", all.Select(f => f.Lock).Distinct()),
                Concurrently = all.Any(f => f.Concurrently),
                Idempotent = false,
            };
            if (all.Count > 0 && all.All(f => f.Verification is not null))
            {
                combined.Verification = "SELECT " + string.Join(" AND ", all.Select(f => "(" + f.Verification + ")"));
                combined.VerificationDescription = string.Join(", ", all.Select(f => f.VerificationDescription).Distinct());
            }
            if (all.Count > 0 && all.All(f => f.Undo is not null || f.NoUndoNeeded))
            {
                combined.NoUndoNeeded = all.All(f => f.NoUndoNeeded);
                string undo = string.Join("\n", all.Reverse().Where(f => f.Undo is not null).Select(f => f.Undo));
                combined.Undo = undo.Length == 0 ? null : undo;
            }
            return combined;
        }
    }
}
