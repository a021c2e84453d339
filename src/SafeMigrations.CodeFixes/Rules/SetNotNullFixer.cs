using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

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

        private protected override void Fix(DocumentFix fix)
        {
            fix.RewriteActions((call, statement, action) =>
            {
                if (action.Column is null)
                {
                    return null;
                }

                var (table, schema) = CSharpCode.TableAndSchema(statement.Table!);
                return new[] { ColumnSteps.NotNullComment, ColumnSteps.SetNotNull(call.Receiver, table, schema, action.Column) };
            });

            foreach (var call in fix.StepCalls("AlterColumn"))
            {
                if (call.String("name") is { } column && call.Code("table") is { } table)
                {
                    fix.ReplaceStatement(call.Statement, FixBuilder(call, column, table));
                }
            }
        }

        private static IEnumerable<string> FixBuilder(StepCall call, string column, string table)
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
