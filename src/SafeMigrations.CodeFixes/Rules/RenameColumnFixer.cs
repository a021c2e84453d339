using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0011: a column rename becomes expand/contract. Expand (where the rename was): add the new column (nullable,
    /// no default), a two-way sync trigger, a batched backfill, and NOT NULL through a validated check when the target
    /// model says the property is required. Contract (at the end of <c>Up</c>, so that later steps of the migration still
    /// find the old column under plain EF): drop the trigger and the old column. <c>Down</c>'s rename back becomes: drop
    /// the trigger, then drop the new column while the old one still exists, or rename the new one back when the
    /// contract already dropped the old one (plain EF runs both phases).
    /// </summary>
    /// <remarks>
    /// The new column's type comes from the migration's target model (<c>HasColumnType</c> in the Designer's
    /// <c>BuildTargetModel</c>); without it, a DO block copies the old column's type from the catalog at execution time.
    /// Only the type, the data and (from the target model) NOT NULL carry over: indexes, foreign keys, checks, the
    /// default and identity of the old column do not, and a comment in the fixed code says so.
    /// </remarks>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameColumnFixer)), Shared]
    public sealed class RenameColumnFixer : MigrationFixer
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.RenameColumn);

        protected override string Title => "Rename through expand/contract (new column, two-way sync, backfill)";

        protected override string EquivalenceKey => RuleIdentifiers.RenameColumn;

        private protected override void Fix(DocumentFix fix)
        {
            var renames = new List<Rename>();
            fix.RewriteFlaggedStatements((call, statement) =>
            {
                if (RawRename(statement, call.Invocation, call.Receiver) is not { } rename)
                {
                    return null;
                }

                renames.Add(rename);
                return ExpandLines(fix.Model, rename, fix.CancellationToken);
            });

            foreach (var (invocation, statement) in fix.BuilderStatements("RenameColumn"))
            {
                if (!ReferenceEquals(statement.Expression, invocation)
                    || fix.Model.GetOperation(invocation, fix.CancellationToken) is not IInvocationOperation operation
                    || BuilderRename(operation, invocation, MigrationSyntax.Receiver(invocation)) is not { } rename)
                {
                    continue;
                }

                renames.Add(rename);
                fix.ReplaceStatement(statement, ExpandLines(fix.Model, rename, fix.CancellationToken));
            }

            // Contract steps go to the end of Up: one insertion per method, so Fix All never overlaps itself.
            foreach (var method in renames.GroupBy(r => MigrationMethods.ContainingMethod(r.At)))
            {
                if (method.Key?.Body != null)
                {
                    fix.Add(MigrationMethods.Insert(method.Key, fix.Text, method.SelectMany(ContractLines).ToList(), atStart: false));
                }
            }

            fix.AddRange(DownChanges(fix.Model, fix.Text, renames, fix.CancellationToken));
        }

        private static List<string> ExpandLines(SemanticModel model, Rename rename, CancellationToken cancellationToken)
        {
            var lines = new List<string>
            {
                "// Expand: add " + SqlFix.Quote(rename.NewName) + " next to " + SqlFix.Quote(rename.OldName) + "; a two-way trigger keeps both in sync while old and new app versions run.",
                "// Not carried over from " + SqlFix.Quote(rename.OldName) + ": indexes, foreign keys, checks, default, identity. Recreate those on " + SqlFix.Quote(rename.NewName) + " (indexes concurrently) before the contract phase.",
            };

            var column = TargetModelColumns.Find(model, rename.At, rename.Table, rename.Schema, rename.NewName, cancellationToken);
            if (column != null)
            {
                var clrType = column.ClrType?.ToMinimalDisplayString(model, rename.At.SpanStart) ?? "object";
                lines.Add(rename.Receiver + ".AddColumn<" + clrType + ">(\n"
                          + "    name: " + CSharpCode.String(rename.NewName) + ",\n"
                          + "    table: " + CSharpCode.String(rename.Table) + ",\n"
                          + SchemaLine(rename.Schema)
                          + "    type: " + CSharpCode.String(column.ColumnType) + ",\n"
                          + "    nullable: true);");
            }
            else
            {
                lines.Add("// The target model does not give the type: it is copied from " + SqlFix.Quote(rename.OldName) + " in the catalog at execution time.");
                lines.Add(SqlCallRewrite.SqlCode(rename.Receiver, new[] { AddColumnLikeSql(rename) }, suppressTransaction: false));
            }

            lines.Add(rename.Receiver + ".CreateSyncTrigger(table: " + CSharpCode.String(rename.Table) + ", fromColumn: " + CSharpCode.String(rename.OldName)
                      + ", toColumn: " + CSharpCode.String(rename.NewName) + ", twoWay: true" + CSharpCode.SchemaArgument(rename.Schema) + ");");
            lines.Add("// Backfill: copy existing rows in batches; done when no row differs.");
            lines.Add(rename.Receiver + ".Backfill(table: " + CSharpCode.String(rename.Table)
                      + ", set: " + CSharpCode.String(SqlFix.Quote(rename.NewName) + " = " + SqlFix.Quote(rename.OldName))
                      + ", where: " + CSharpCode.String(SqlFix.Quote(rename.NewName) + " IS DISTINCT FROM " + SqlFix.Quote(rename.OldName))
                      + CSharpCode.SchemaArgument(rename.Schema) + ");");
            if (column is { IsRequired: true })
            {
                lines.Add("// Verify: " + SqlFix.Quote(rename.NewName) + " becomes NOT NULL through a validated check (no long lock).");
                lines.Add(rename.Receiver + ".SetNotNullThroughCheck(column: " + CSharpCode.String(rename.NewName) + ", table: " + CSharpCode.String(rename.Table) + CSharpCode.SchemaArgument(rename.Schema) + ");");
            }

            return lines;
        }

        private static IEnumerable<string> ContractLines(Rename rename)
        {
            yield return "// Contract: runs after every app instance stopped using " + SqlFix.Quote(rename.OldName) + ".";
            yield return rename.Receiver + ".DropSyncTrigger(table: " + CSharpCode.String(rename.Table) + ", fromColumn: " + CSharpCode.String(rename.OldName)
                         + ", toColumn: " + CSharpCode.String(rename.NewName) + CSharpCode.SchemaArgument(rename.Schema) + ").InContractPhase();";
            yield return rename.Receiver + ".DropColumn(name: " + CSharpCode.String(rename.OldName) + ", table: " + CSharpCode.String(rename.Table)
                         + CSharpCode.SchemaArgument(rename.Schema) + ").InContractPhase();";
        }

        private static List<string> DownLines(Rename rename, string receiver) => new List<string>
        {
            "// Undo the expand: drop the sync trigger, then " + SqlFix.Quote(rename.NewName) + " (or rename it back when the contract already dropped " + SqlFix.Quote(rename.OldName) + ").",
            receiver + ".DropSyncTrigger(table: " + CSharpCode.String(rename.Table) + ", fromColumn: " + CSharpCode.String(rename.OldName)
            + ", toColumn: " + CSharpCode.String(rename.NewName) + CSharpCode.SchemaArgument(rename.Schema) + ");",
            SqlCallRewrite.SqlCode(receiver, new[] { UndoExpandSql(rename) }, suppressTransaction: false),
        };

        /// <summary>Down's rename back (builder or raw) is replaced; without one, the undo goes at the start of Down.</summary>
        private static IEnumerable<TextChange> DownChanges(SemanticModel model, SourceText text, List<Rename> renames, CancellationToken cancellationToken)
        {
            var changes = new List<TextChange>();
            var rawReplacements = new SqlStatementReplacements();
            var prepend = new Dictionary<MethodDeclarationSyntax, List<string>>();
            foreach (var rename in renames)
            {
                if (MigrationMethods.DownOfUp(rename.At) is not { } down)
                {
                    continue;
                }

                var found = false;
                foreach (var invocation in down.Body!.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    var name = MigrationSyntax.MethodName(invocation);
                    if (name == "RenameColumn"
                        && model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                        && BuilderRename(operation, invocation, rename.Receiver) is { } back && back.IsReverseOf(rename)
                        && MigrationSyntax.StatementOf(invocation) is { } statement && ReferenceEquals(statement.Expression, invocation))
                    {
                        changes.Add(MigrationSyntax.ReplaceStatement(statement, text, DownLines(rename, MigrationSyntax.Receiver(invocation))));
                        found = true;
                    }
                    else if (name == "Sql" && SqlCallRewrite.Read(model, invocation, cancellationToken) is { } call)
                    {
                        for (var i = 0; i < call.Statements.Count; i++)
                        {
                            if (RawRename(call.Statements[i], invocation, call.Receiver) is { } raw && raw.IsReverseOf(rename))
                            {
                                rawReplacements.Replace(call, i, DownLines(rename, call.Receiver));
                                found = true;
                            }
                        }
                    }
                }

                if (!found)
                {
                    if (!prepend.TryGetValue(down, out var lines))
                    {
                        prepend[down] = lines = new List<string>();
                    }

                    lines.AddRange(DownLines(rename, rename.Receiver));
                }
            }

            changes.AddRange(rawReplacements.Changes(text));
            foreach (var entry in prepend)
            {
                changes.Add(MigrationMethods.Insert(entry.Key, text, entry.Value, atStart: true));
            }

            return changes;
        }

        /// <summary>ALTER TABLE t ADD COLUMN "new" with the old column's type, read from pg_attribute when it runs.</summary>
        private static string AddColumnLikeSql(Rename rename)
        {
            var table = SqlFix.Literal(SqlFix.Qualify(rename.Schema, rename.Table));
            return "DO $body$\nBEGIN\n"
                   + "    EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', " + table + "::regclass, " + SqlFix.Literal(rename.NewName) + ",\n"
                   + "        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a\n"
                   + "         WHERE a.attrelid = " + table + "::regclass AND a.attname = " + SqlFix.Literal(rename.OldName) + " AND NOT a.attisdropped));\n"
                   + "END $body$";
        }

        /// <summary>Drops the new column while the old one exists; otherwise (contract done) renames the new one back.</summary>
        private static string UndoExpandSql(Rename rename)
        {
            var qualified = SqlFix.Qualify(rename.Schema, rename.Table);
            return "DO $body$\nBEGIN\n"
                   + "    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " + SqlFix.Literal(qualified) + "::regclass AND attname = " + SqlFix.Literal(rename.OldName) + " AND NOT attisdropped) THEN\n"
                   + "        ALTER TABLE " + qualified + " DROP COLUMN " + SqlFix.Quote(rename.NewName) + ";\n"
                   + "    ELSE\n"
                   + "        ALTER TABLE " + qualified + " RENAME COLUMN " + SqlFix.Quote(rename.NewName) + " TO " + SqlFix.Quote(rename.OldName) + ";\n"
                   + "    END IF;\n"
                   + "END $body$";
        }

        private static string SchemaLine(string? schema) => schema is null ? string.Empty : "    schema: " + CSharpCode.String(schema) + ",\n";

        private static Rename? BuilderRename(IInvocationOperation operation, SyntaxNode at, string receiver)
        {
            var name = InvocationArguments.String(operation, "name");
            var table = InvocationArguments.String(operation, "table");
            var newName = InvocationArguments.String(operation, "newName");
            if (name is null || table is null || newName is null || !InvocationArguments.TryGetString(operation, "schema", out var schema))
            {
                return null;
            }

            return new Rename(at, receiver, schema, table, name, newName);
        }

        /// <summary>ALTER TABLE t RENAME [COLUMN] a TO b (PostgreSQL allows no other action with it).</summary>
        private static Rename? RawRename(SqlStatement statement, SyntaxNode at, string receiver)
        {
            if (statement.Kind != StatementKind.AlterTable || statement.Table is not { } table || statement.Actions.Count != 1)
            {
                return null;
            }

            var action = statement.Actions[0];
            return action.Kind == AlterTableActionKind.RenameColumn && action.Column != null && action.Name != null
                ? new Rename(at, receiver, table.Schema, table.Name, action.Column, action.Name)
                : null;
        }

        private sealed class Rename
        {
            public Rename(SyntaxNode at, string receiver, string? schema, string table, string oldName, string newName)
            {
                At = at;
                Receiver = receiver;
                Schema = schema;
                Table = table;
                OldName = oldName;
                NewName = newName;
            }

            /// <summary>The flagged call (the rename, or the Sql call that holds it).</summary>
            public SyntaxNode At { get; }

            public string Receiver { get; }

            public string? Schema { get; }

            public string Table { get; }

            public string OldName { get; }

            public string NewName { get; }

            public bool IsReverseOf(Rename other) =>
                string.Equals(Schema, other.Schema, StringComparison.Ordinal) && string.Equals(Table, other.Table, StringComparison.Ordinal)
                && string.Equals(OldName, other.NewName, StringComparison.Ordinal) && string.Equals(NewName, other.OldName, StringComparison.Ordinal);
        }
    }
}
