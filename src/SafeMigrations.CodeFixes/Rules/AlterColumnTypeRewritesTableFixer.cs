using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0007: change the type through a new column. Expand: <c>AddColumn</c> "c_new" of the new type (nullable),
    /// <c>CreateSyncTrigger</c> c → c_new converting with a cast (or the raw USING expression), <c>Backfill</c> in
    /// batches, NOT NULL through a check when the column is required, <c>SwapColumns</c> (c becomes the new column,
    /// the old one "c_old" kept in sync for the running version). Contract: <c>DropSyncTrigger</c> c → c_old and
    /// <c>DropColumn</c> c_old. <c>Down</c>'s reverse type change of the same column is rewritten the same way: it
    /// was exempt only as the undo of Up's AlterColumn, which the fix removes.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AlterColumnTypeRewritesTableFixer)), Shared]
    public sealed class AlterColumnTypeRewritesTableFixer : MigrationFixer
    {
        private static readonly string[] ColumnFacts = { "type", "unicode", "maxLength", "fixedLength", "precision", "scale", "collation", "comment" };

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AlterColumnTypeRewritesTable);

        protected override string Title => "Change the type through a new column, sync trigger, backfill and swap";

        /// <summary>timestamp ↔ timestamptz: the one-line UTC remedy comes first.</summary>
        private protected override IReadOnlyList<AlternativeFix> Alternatives { get; } = new AlternativeFix[] { new UtcTimeZoneRemedy() };

        protected override string EquivalenceKey => RuleIdentifiers.AlterColumnTypeRewritesTable;

        private protected override void Fix(DocumentFix fix)
        {
            var fixedColumns = new List<(string? Schema, string Table, string Column)>();
            fix.RewriteActions((call, statement, action) =>
            {
                var lines = FixRaw(fix.Model, call, statement, action, fix.CancellationToken);
                if (lines != null)
                {
                    fixedColumns.Add((statement.Table!.Schema, statement.Table.Name, action.Column!));
                }

                return lines;
            });

            foreach (var call in fix.StepCalls("AlterColumn"))
            {
                if (FixBuilder(call) is { } lines)
                {
                    fix.ReplaceStatement(call.Statement, lines);
                    fixedColumns.Add((call.String("schema"), call.String("table")!, call.String("name")!));
                }
            }

            fix.AddRange(RewriteDown(fix.Root, fix.Model, fix.Text, fixedColumns, fix.CancellationToken));
        }

        private static IReadOnlyList<string>? FixBuilder(StepCall call)
        {
            if (!(call.String("name") is { } column) || !(call.String("table") is { } table) || !(call.String("type") is { } type))
            {
                return null;
            }

            var schema = call.String("schema");
            var replacement = column + "_new";
            var arguments = new List<KeyValuePair<string, string>>
            {
                StepCall.Arg("name", CSharpCode.String(replacement)),
                StepCall.Arg("table", call.Code("table")!),
            };
            if (call.Code("schema") is { } schemaCode)
            {
                arguments.Add(StepCall.Arg("schema", schemaCode));
            }

            arguments.AddRange(ColumnFacts.Where(f => call.Code(f) != null).Select(f => StepCall.Arg(f, call.Code(f)!)));
            arguments.Add(StepCall.Arg("nullable", "true"));
            var add = StepCall.Render(call.Receiver, "AddColumn", call.TypeArgument, arguments);

            string? setDefault = null;
            if (call.HasValue("defaultValue") || call.HasValue("defaultValueSql"))
            {
                var alter = arguments.Where(a => a.Key != "nullable").ToList();
                alter.Add(StepCall.Arg("nullable", "true"));
                alter.AddRange(new[] { "defaultValue", "defaultValueSql" }.Where(call.HasValue).Select(d => StepCall.Arg(d, call.Code(d)!)));
                alter.AddRange(ColumnFacts.Where(f => call.Code(f) != null).Select(f => StepCall.Arg("old" + char.ToUpperInvariant(f[0]) + f.Substring(1), call.Code(f)!)));
                alter.Add(StepCall.Arg("oldNullable", "true"));
                setDefault = StepCall.Render(call.Receiver, "AlterColumn", call.TypeArgument, alter);
            }

            var cast = SqlFix.Quote(column) + "::" + type;
            return Recipe(call.Receiver, schema, table, column, add, "NEW." + cast, cast, call.IsNotNull, setDefault).ToList();
        }

        private static IReadOnlyList<string>? FixRaw(SemanticModel model, SqlCallRewrite call, SqlStatement statement, AlterTableAction action, CancellationToken cancellationToken)
        {
            if (action.Column is null || action.DataType is null || statement.Table is null)
            {
                return null;
            }

            var column = action.Column;
            var replacement = column + "_new";
            var header = SqlFix.AlterTableHeader(statement);
            var add = SqlCallRewrite.SqlCode(call.Receiver, new[] { header + "ADD COLUMN " + SqlFix.Quote(replacement) + " " + action.DataType.Trim() }, call.SuppressTransaction);
            var value = action.UsingExpression is { } usingSql ? usingSql.Trim() : SqlFix.Quote(column) + "::" + action.DataType.Trim();
            var convert = action.UsingExpression != null ? SqlFix.OverNewRow(value) : "NEW." + value;
            // Raw SQL does not say whether the column is NOT NULL: the target model (Designer) does, when there is one.
            var notNull = TargetModelColumns.Find(model, call.Invocation, statement.Table.Name, statement.Table.Schema, column, cancellationToken)?.IsRequired;
            return Recipe(call.Receiver, statement.Table.Schema, statement.Table.Name, column, add, convert, value, notNull, setDefault: null).ToList();
        }

        /// <summary>
        /// The steps; <paramref name="notNull"/> says whether the column is NOT NULL, null when unknown (raw SQL): the
        /// NOT NULL step is then left commented.
        /// </summary>
        private static IEnumerable<string> Recipe(string receiver, string? schema, string table, string column, string add, string convertSql, string valueSql, bool? notNull, string? setDefault)
        {
            var tableCode = CSharpCode.String(table);
            var schemaCode = schema is null ? null : CSharpCode.String(schema);
            var replacement = column + "_new";
            var old = column + "_old";
            yield return "// Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.";
            yield return add;
            yield return StepCall.RenderLine(receiver, "CreateSyncTrigger",
                ("table", tableCode), ("fromColumn", CSharpCode.String(column)), ("toColumn", CSharpCode.String(replacement)),
                ("convertSql", CSharpCode.String(convertSql)), ("schema", schemaCode));
            if (setDefault != null)
            {
                yield return setDefault;
            }

            yield return "// Backfill: existing rows get the converted value, in batches.";
            yield return StepCall.RenderLine(receiver, "Backfill",
                ("table", tableCode),
                ("set", CSharpCode.String(SqlFix.Quote(replacement) + " = " + valueSql)),
                ("where", CSharpCode.String(SqlFix.Quote(replacement) + " IS NULL AND " + SqlFix.Quote(column) + " IS NOT NULL")),
                ("schema", schemaCode));
            if (notNull == true)
            {
                yield return ColumnSteps.NotNullComment;
                yield return ColumnSteps.SetNotNull(receiver, tableCode, schemaCode, replacement);
            }
            else if (notNull is null)
            {
                yield return "// Verify: if \"" + column + "\" is NOT NULL, uncomment (the new column must be too before the swap):";
                yield return "// " + ColumnSteps.SetNotNull(receiver, tableCode, schemaCode, replacement);
            }

            yield return "// Expand: swap the columns in one short transaction; the old one, renamed \"" + old + "\", stays in sync for the running version.";
            yield return StepCall.RenderLine(receiver, "SwapColumns",
                ("table", tableCode), ("column", CSharpCode.String(column)), ("replacementColumn", CSharpCode.String(replacement)), ("schema", schemaCode));
            yield return "// Contract: once no running version reads the old column, drop its sync trigger and the column.";
            yield return StepCall.RenderLine(receiver, "DropSyncTrigger",
                ("table", tableCode), ("fromColumn", CSharpCode.String(column)), ("toColumn", CSharpCode.String(old)), ("schema", schemaCode)).TrimEnd(';')
                + ".InContractPhase();";
            yield return StepCall.Render(receiver, "DropColumn", null,
                new[] { StepCall.Arg("name", CSharpCode.String(old)), StepCall.Arg("table", tableCode) }
                    .Concat(schemaCode is null ? Enumerable.Empty<KeyValuePair<string, string>>() : new[] { StepCall.Arg("schema", schemaCode) }),
                new[] { ".InContractPhase()" });
        }

        /// <summary>
        /// Down's type change of a fixed column (EF's reverse AlterColumn, or a raw ALTER COLUMN TYPE) gets the same
        /// recipe: without Up's AlterColumn it is no longer the undo of Up, and would rewrite the table.
        /// </summary>
        private static IEnumerable<TextChange> RewriteDown(SyntaxNode root, SemanticModel model, SourceText text, List<(string? Schema, string Table, string Column)> fixedColumns, CancellationToken cancellationToken)
        {
            if (fixedColumns.Count == 0
                || !(root.DescendantNodes().OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == "Down" && m.Body != null) is { } down))
            {
                yield break;
            }

            foreach (var invocation in down.Body!.DescendantNodes().OfType<InvocationExpressionSyntax>().ToList())
            {
                var method = MigrationSyntax.MethodName(invocation);
                if (method == "AlterColumn" && StepCall.Read(model, invocation, cancellationToken) is { } call
                    && fixedColumns.Contains((call.String("schema"), call.String("table") ?? string.Empty, call.String("name") ?? string.Empty))
                    && call.String("type") is { } type
                    && (call.String("oldType") is not { } oldType || ColumnTypes.Classify(oldType, type) == TypeChangeSafety.Rewrite)
                    && FixBuilder(call) is { } lines)
                {
                    yield return MigrationSyntax.ReplaceStatement(call.Statement, text, lines);
                }
                else if (method == "Sql" && SqlCallRewrite.Read(model, invocation, cancellationToken) is { } sql)
                {
                    var changed = false;
                    var lines2 = sql.Rewrite((index, statement) =>
                    {
                        if (statement.Kind != StatementKind.AlterTable || statement.Table is null)
                        {
                            return null;
                        }

                        var result = SqlFix.RewriteActions(statement, sql.Receiver, sql.SuppressTransaction, (actionIndex, action) =>
                            action.Kind == AlterTableActionKind.AlterColumnType && action.Column != null
                            && fixedColumns.Contains((statement.Table.Schema, statement.Table.Name, action.Column))
                                ? FixRaw(model, sql, statement, action, cancellationToken)
                                : null);
                        changed |= result != null;
                        return result;
                    });
                    if (changed)
                    {
                        yield return MigrationSyntax.ReplaceStatement(sql.Statement, text, lines2);
                    }
                }
            }
        }
    }
}
