using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0006: NOT NULL through a validated check. <c>AlterColumn(nullable: false, oldNullable: true)</c> keeps its
    /// other changes (type, default...) with the column still nullable, EF's one-shot <c>UPDATE ... WHERE c IS NULL</c>
    /// becomes a batched <c>Backfill</c> of the default, then <c>SetNotNullThroughCheck</c>. An AlterColumn that only
    /// changed nullability is replaced entirely. Raw <c>ALTER COLUMN c SET NOT NULL</c> becomes <c>SetNotNullThroughCheck</c>.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SetNotNullFixer)), Shared]
    public sealed class SetNotNullFixer : MigrationFixer
    {
        private static readonly HashSet<string> IdentityArguments = new HashSet<string> { "name", "table", "schema", "nullable", "oldNullable", "oldClrType" };

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.SetNotNull);

        protected override string Title => "Set NOT NULL through a validated check constraint";

        protected override string EquivalenceKey => RuleIdentifiers.SetNotNull;

        protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return document;
            }

            RawSqlDiagnostics.GroupBySqlCall(root, diagnostics, out var builderDiagnostics);
            var changes = RawSqlFixes.RewriteActions(root, model, text, diagnostics, (call, statement, action) =>
            {
                if (action.Column is null)
                {
                    return null;
                }

                var (table, schema) = RawSqlFixes.TableCode(statement.Table!);
                return new[] { ColumnSteps.NotNullComment, ColumnSteps.SetNotNull(call.Receiver, table, schema, action.Column) };
            }, cancellationToken);

            foreach (var diagnostic in builderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(root, diagnostic) is { } invocation
                    && StepCall.Read(model, invocation, cancellationToken) is { Method: "AlterColumn" } call
                    && call.String("name") is { } column
                    && call.Code("table") is { } table)
                {
                    changes.Add(MigrationSyntax.ReplaceStatement(call.Statement, text, Fix(call, column, table)));
                }
            }

            return await MigrationSyntax.ApplyAsync(document, changes, cancellationToken).ConfigureAwait(false);
        }

        private static IEnumerable<string> Fix(StepCall call, string column, string table)
        {
            var schema = call.Code("schema");
            if (!ChangesOnlyNullability(call))
            {
                yield return "// Expand: the column's other changes; it stays nullable until every row has a value.";
                yield return StepCall.Render(call.Receiver, call.Method, call.TypeArgument, call.ArgumentsWith(new[] { StepCall.Arg("nullable", "true") }), call.Chain);
            }

            if (call.HasValue("defaultValue") || call.HasValue("defaultValueSql"))
            {
                // EF would set every NULL to the default in one UPDATE before SET NOT NULL.
                yield return ColumnSteps.BackfillDefaultComment;
                yield return ColumnSteps.BackfillDefault(call.Receiver, table, schema, column);
            }

            yield return ColumnSteps.NotNullComment;
            yield return ColumnSteps.SetNotNull(call.Receiver, table, schema, column);
        }

        /// <summary>Every argument besides nullability equals its <c>old...</c> counterpart: the AlterColumn would change nothing else.</summary>
        private static bool ChangesOnlyNullability(StepCall call)
        {
            if (call.Chain.Count > 0)
            {
                return false;
            }

            foreach (var argument in call.Arguments)
            {
                var name = argument.Key;
                if (IdentityArguments.Contains(name))
                {
                    continue;
                }

                var counterpart = name.StartsWith("old", System.StringComparison.Ordinal) && name.Length > 3
                    ? char.ToLowerInvariant(name[3]) + name.Substring(4)
                    : "old" + char.ToUpperInvariant(name[0]) + name.Substring(1);
                if (call.Code(counterpart) != argument.Value)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
