using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0005: give the new required column the zero value of its type as a constant default (what EF scaffolds:
    /// <c>defaultValue: ""</c>, 0, false...; in raw SQL <c>DEFAULT ''</c>, 0, false, now()...). A constant default is
    /// only written to the catalog: no rewrite, and existing rows read the default. When the type has no known zero
    /// value, the column is added nullable and the backfill and NOT NULL steps are left, commented, for the author to
    /// complete with a value.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddRequiredColumnWithoutDefaultFixer)), Shared]
    public sealed class AddRequiredColumnWithoutDefaultFixer : MigrationFixer
    {
        private const string DefaultComment = "// Expand: a constant default gives existing rows a value without rewriting the table (review the value).";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AddRequiredColumnWithoutDefault);

        protected override string Title => "Give the required column a constant default";

        protected override string EquivalenceKey => RuleIdentifiers.AddRequiredColumnWithoutDefault;

        private protected override void Fix(DocumentFix fix)
        {
            fix.RewriteActions((call, statement, action) =>
            {
                var header = SqlFix.AlterTableHeader(statement);
                var plain = SqlFix.PlainAddColumn(action);
                if (ZeroValues.Sql(action.DataType) is { } zero)
                {
                    return new[] { DefaultComment, SqlCallRewrite.SqlCode(call.Receiver, new[] { header + plain + " NOT NULL DEFAULT " + zero }, call.SuppressTransaction) };
                }

                var (table, schema) = CSharpCode.TableAndSchema(statement.Table!);
                return Nullable(call.Receiver, SqlCallRewrite.SqlCode(call.Receiver, new[] { header + plain }, call.SuppressTransaction), table, schema, action.Column ?? "?");
            });

            foreach (var call in fix.StepCalls("AddColumn"))
            {
                fix.ReplaceStatement(call.Statement, FixBuilder(call));
            }
        }

        private static IEnumerable<string> FixBuilder(StepCall call)
        {
            var type = call.String("type");
            if (ZeroValues.CSharp(call.TypeArgumentSymbol, type) is { } value)
            {
                return new[] { DefaultComment, StepCall.Render(call.Receiver, call.Method, call.TypeArgument, call.ArgumentsWith(new[] { StepCall.Arg("defaultValue", value) }, "defaultValueSql"), call.Chain) };
            }

            if (ZeroValues.Sql(type) is { } sql)
            {
                return new[] { DefaultComment, StepCall.Render(call.Receiver, call.Method, call.TypeArgument, call.ArgumentsWith(new[] { StepCall.Arg("defaultValueSql", CSharpCode.String(sql)) }, "defaultValue"), call.Chain) };
            }

            var added = StepCall.Render(call.Receiver, call.Method, call.TypeArgument, call.ArgumentsWith(new[] { StepCall.Arg("nullable", "true") }), call.Chain);
            return Nullable(call.Receiver, added, call.Code("table") ?? "\"?\"", call.Code("schema"), call.String("name") ?? "?");
        }

        /// <summary>No zero value known: add the column nullable; the author completes the commented backfill with a value.</summary>
        private static IReadOnlyList<string> Nullable(string receiver, string addCode, string table, string? schema, string column) => new[]
        {
            "// Expand: added nullable, because no default could be derived from the column's type.",
            addCode,
            "// Backfill: give existing rows a value, then enforce NOT NULL (replace <value> with a SQL expression):",
            "// " + StepCall.RenderLine(receiver, "Backfill", ("table", table), ("column", CSharpCode.String(column)), ("value", "\"<value>\""), ("where", CSharpCode.String(SqlFix.Quote(column) + " IS NULL")), ("schema", schema)),
            "// " + ColumnSteps.SetNotNull(receiver, table, schema, column),
        };
    }
}
