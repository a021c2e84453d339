using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0006: SET NOT NULL on an existing column scans the whole table under ACCESS EXCLUSIVE (and EF may UPDATE every NULL first).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SetNotNullAnalyzer : MigrationRuleAnalyzer
    {
        /// <summary>From PostgreSQL 12, SET NOT NULL skips the scan when a validated CHECK (c IS NOT NULL) proves it.</summary>
        private const int CheckProofVersion = 12;

        private const string DefaultUpdateNote =
            ", and before it EF runs one UPDATE that sets every NULL to the default over the whole table, holding row locks until commit (backfill in batches instead)";

        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.SetNotNull,
            title: StatementRules.SetNotNull.Title,
            messageFormat: StatementRules.SetNotNull.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.SetNotNull.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            var checkProofs = context.Options.PostgresVersion >= CheckProofVersion;
            foreach (var step in context.Model.Steps)
            {
                if (!step.IsBuilderMethod("AlterColumn")
                    || step.GetBool("nullable") != false || step.GetBool("oldNullable") != true
                    || RedundantAlterColumnAnalyzer.CurrentState(context, step) != null)
                {
                    continue;
                }

                var updatesNulls = ColumnFacts.HasValue(step["defaultValue"]) || ColumnFacts.HasSqlValue(step["defaultValueSql"]);
                if (!updatesNulls && checkProofs && step.Table is { } table && step.Name is { } column
                    && IsProvenNotNull(context.Model, table, column, step.Index, -1))
                {
                    continue;
                }

                context.Report(Rule, step, "AlterColumn", step.Name ?? "?", step.Table?.ToString() ?? "?", updatesNulls ? DefaultUpdateNote : string.Empty);
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                foreach (var finding in StatementRules.SetNotNulls(sql))
                {
                    var action = finding.Action!;
                    if (checkProofs && TableName.From(sql.Table) is { } table && action.Column is { } column
                        && IsProvenNotNull(context.Model, table, column, statement.Step.Index, statement.StatementIndex))
                    {
                        continue;
                    }

                    context.Report(Rule, statement, action, finding.Arguments);
                }
            }
        }

        /// <summary>Earlier in the method, a validated CHECK proves the column is not null (see <see cref="NotNullProof"/>).</summary>
        private static bool IsProvenNotNull(MigrationModel model, TableName table, string column, int stepIndex, int statementIndex)
        {
            var proof = new NotNullProof(column);
            foreach (var step in model.Steps)
            {
                if (step.Index > stepIndex)
                {
                    break;
                }

                if (step.Sql is null)
                {
                    if (step.Index < stepIndex && step.Table == table && step.Name is { } name && step.MethodName.StartsWith("Add", StringComparison.Ordinal))
                    {
                        proof.Added(name, step.MethodName == "AddCheckConstraint" ? step.GetString("sql") : null);
                    }
                }
                else
                {
                    var statements = step.Sql.Statements;
                    for (var i = 0; i < statements.Count && (step.Index < stepIndex || i < statementIndex); i++)
                    {
                        proof.Statement(statements[i], t => TableName.From(t) == table);
                    }
                }

                if (proof.Proven)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
