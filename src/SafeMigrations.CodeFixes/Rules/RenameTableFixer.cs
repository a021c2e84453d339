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
    /// SM0012: keep the rename, and keep the old name working for the running app with a view over the renamed table
    /// (a <c>SELECT *</c> view of one table is automatically updatable), dropped in the contract phase. Within a schema
    /// the runtime steps <c>CreateCompatibilityView</c>/<c>DropCompatibilityView</c> are used; a move to another schema
    /// (which those steps cannot express: they take one schema) gets the equivalent raw CREATE/DROP VIEW. <c>Down</c>
    /// drops the view before it renames the table back (the view holds the old name).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameTableFixer)), Shared]
    public sealed class RenameTableFixer : MigrationFixer
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.RenameTable);

        protected override string Title => "Keep the old table name working through a compatibility view";

        protected override string EquivalenceKey => RuleIdentifiers.RenameTable;

        private protected override void Fix(DocumentFix fix)
        {
            var renames = new List<(SyntaxNode At, string Receiver, Name From, Name To)>();
            fix.RewriteFlaggedStatements((call, statement) =>
            {
                if (RawRename(statement) is not { } rename)
                {
                    return null;
                }

                renames.Add((call.Invocation, call.Receiver, rename.From, rename.To));
                var result = new List<string> { SqlCallRewrite.SqlCode(call.Receiver, new[] { statement.Text }, call.SuppressTransaction) };
                result.AddRange(ViewLines(call.Receiver, rename.From, rename.To));
                return result;
            });

            foreach (var (invocation, statement) in fix.BuilderStatements("RenameTable"))
            {
                if (fix.Model.GetOperation(invocation, fix.CancellationToken) is not IInvocationOperation operation
                    || BuilderRename(operation) is not { } rename)
                {
                    continue;
                }

                var receiver = MigrationSyntax.Receiver(invocation);
                renames.Add((invocation, receiver, rename.From, rename.To));
                var indent = MigrationSyntax.Indentation(statement, fix.Text);
                var newLine = MigrationSyntax.DetectNewLine(fix.Text);
                var inserted = string.Concat(ViewLines(receiver, rename.From, rename.To).Select(l => newLine + indent + l));
                fix.Add(new TextChange(new TextSpan(statement.Span.End, 0), inserted));
            }

            fix.AddRange(DownChanges(fix.Model, fix.Text, renames, fix.CancellationToken));
        }

        /// <summary>In <c>Down</c>, the view is dropped right before the statement that renames the table back.</summary>
        private static IEnumerable<TextChange> DownChanges(SemanticModel model, SourceText text, List<(SyntaxNode At, string Receiver, Name From, Name To)> renames, CancellationToken cancellationToken)
        {
            var changes = new List<TextChange>();
            var rawReplacements = new SqlStatementReplacements();
            foreach (var (at, receiver, from, to) in renames)
            {
                if (MigrationMethods.DownOfUp(at) is not { } down)
                {
                    continue;
                }

                foreach (var invocation in down.Body!.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    var name = MigrationSyntax.MethodName(invocation);
                    if (name == "RenameTable"
                        && model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                        && BuilderRename(operation) is { } back && back.From == to && back.To == from
                        && MigrationSyntax.StatementOf(invocation) is { } statement)
                    {
                        changes.Add(MigrationSyntax.InsertCommentsBefore(statement, text, DownLines(receiver, from, to)));
                    }
                    else if (name == "Sql" && SqlCallRewrite.Read(model, invocation, cancellationToken) is { } call)
                    {
                        for (var i = 0; i < call.Statements.Count; i++)
                        {
                            if (RawRename(call.Statements[i]) is { } raw && raw.From == to && raw.To == from)
                            {
                                var lines = DownLines(call.Receiver, from, to);
                                lines.Add(SqlCallRewrite.SqlCode(call.Receiver, new[] { call.Statements[i].Text }, call.SuppressTransaction));
                                rawReplacements.Replace(call, i, lines);
                            }
                        }
                    }
                }
            }

            changes.AddRange(rawReplacements.Changes(text));
            return changes;
        }

        private static IEnumerable<string> ViewLines(string receiver, Name from, Name to)
        {
            yield return "// Expand: the running app keeps using " + SqlFix.Quote(from.Table) + " through an updatable view over the renamed table.";
            if (from.Schema == to.Schema)
            {
                yield return receiver + ".CreateCompatibilityView(viewName: " + CSharpCode.String(from.Table) + ", table: " + CSharpCode.String(to.Table) + CSharpCode.SchemaArgument(from.Schema) + ");";
                yield return "// Contract: runs after every app instance stopped using the old name.";
                yield return receiver + ".DropCompatibilityView(viewName: " + CSharpCode.String(from.Table) + CSharpCode.SchemaArgument(from.Schema) + ").InContractPhase();";
            }
            else
            {
                // The runtime step takes one schema for the view and the table: a move between schemas is written out.
                yield return SqlCallRewrite.SqlCode(receiver, new[] { "CREATE OR REPLACE VIEW " + Qualify(from) + " AS SELECT * FROM " + Qualify(to) }, suppressTransaction: false);
                yield return "// Contract: runs after every app instance stopped using the old name.";
                yield return SqlCallRewrite.ContractSqlCode(receiver, "DROP VIEW IF EXISTS " + Qualify(from), suppressTransaction: false);
            }
        }

        private static List<string> DownLines(string receiver, Name from, Name to) => new List<string>
        {
            "// The compatibility view holds the old name: drop it before renaming back.",
            from.Schema == to.Schema
                ? receiver + ".DropCompatibilityView(viewName: " + CSharpCode.String(from.Table) + CSharpCode.SchemaArgument(from.Schema) + ");"
                : SqlCallRewrite.SqlCode(receiver, new[] { "DROP VIEW IF EXISTS " + Qualify(from) }, suppressTransaction: false),
        };

        /// <summary>EF's RenameTable as the analyzer reads it: a null newName keeps the name, a null newSchema is the default schema.</summary>
        private static (Name From, Name To)? BuilderRename(IInvocationOperation operation)
        {
            if (!InvocationArguments.TryGetString(operation, "name", out var name) || name is null
                || !InvocationArguments.TryGetString(operation, "schema", out var schema)
                || !InvocationArguments.TryGetString(operation, "newName", out var newName)
                || !InvocationArguments.TryGetString(operation, "newSchema", out var newSchema))
            {
                return null;
            }

            var from = new Name(schema, name);
            var to = new Name(newSchema, newName ?? name);
            return from == to ? null : (from, to);
        }

        /// <summary>ALTER TABLE ... RENAME TO / SET SCHEMA.</summary>
        private static (Name From, Name To)? RawRename(SqlStatement statement)
        {
            if (statement.Kind != StatementKind.AlterTable || statement.Table is not { } table || statement.Actions.Count != 1)
            {
                return null;
            }

            var action = statement.Actions[0];
            var from = new Name(table.Schema, table.Name);
            if (action.Kind == AlterTableActionKind.RenameTable && action.Name != null)
            {
                return (from, new Name(table.Schema, action.Name));
            }

            if (action.Kind == AlterTableActionKind.SetSchema && action.Name != null)
            {
                return (from, new Name(action.Name, table.Name));
            }

            return null;
        }

        private static string Qualify(Name name) => SqlFix.Qualify(name.Schema, name.Table);

        private readonly struct Name : IEquatable<Name>
        {
            public Name(string? schema, string table)
            {
                Schema = schema;
                Table = table;
            }

            public string? Schema { get; }

            public string Table { get; }

            public static bool operator ==(Name left, Name right) => left.Equals(right);

            public static bool operator !=(Name left, Name right) => !left.Equals(right);

            public bool Equals(Name other) => string.Equals(Schema, other.Schema, StringComparison.Ordinal) && string.Equals(Table, other.Table, StringComparison.Ordinal);

            public override bool Equals(object? obj) => obj is Name other && Equals(other);

            public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Table);
        }
    }
}
