using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

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
            title: "Set NOT NULL through a validated check constraint",
            messageFormat: "{0} sets NOT NULL on column '{1}' of existing table '{2}': PostgreSQL scans all of '{2}' for NULLs under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it until the migration commits{3}; add CHECK (\"{1}\" IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a separate transaction, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check",
            category: RuleCategories.Locking,
            description: "ALTER COLUMN ... SET NOT NULL takes an ACCESS EXCLUSIVE lock and scans the whole table to prove there is no NULL. EF's AlterColumn from nullable to required with a default first runs UPDATE t SET c = <default> WHERE c IS NULL over the whole table. Validate a NOT VALID CHECK (c IS NOT NULL) first (SHARE UPDATE EXCLUSIVE: reads and writes continue); PostgreSQL 12+ then sets NOT NULL without scanning.");

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
                if (sql.Kind != StatementKind.AlterTable)
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind != AlterTableActionKind.SetNotNull)
                    {
                        continue;
                    }

                    if (checkProofs && TableName.From(sql.Table) is { } table && action.Column is { } column
                        && IsProvenNotNull(context.Model, table, column, statement.Step.Index, statement.StatementIndex))
                    {
                        continue;
                    }

                    context.Report(Rule, statement, action, "ALTER COLUMN ... SET NOT NULL", action.Column ?? "?", sql.Table?.ToString() ?? "?", string.Empty);
                }
            }
        }

        /// <summary>
        /// Earlier in the method, a validated CHECK proves the column is not null: a VALIDATE CONSTRAINT on the table
        /// (of a constraint not added in this method, or of a CHECK (column IS NOT NULL) added in it), or a CHECK
        /// (column IS NOT NULL) added without NOT VALID (raw SQL or AddCheckConstraint).
        /// </summary>
        private static bool IsProvenNotNull(MigrationModel model, TableName table, string column, int stepIndex, int statementIndex)
        {
            // Constraints added earlier in the method, by name: whether each proves the column not null.
            var added = new Dictionary<string, bool>(StringComparer.Ordinal);
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
                        var proves = step.MethodName == "AddCheckConstraint" && step.GetString("sql") is { } check && ProvesNotNull(check, column);
                        if (proves)
                        {
                            return true;
                        }

                        added[name] = false;
                    }

                    continue;
                }

                var statements = step.Sql.Statements;
                for (var i = 0; i < statements.Count && (step.Index < stepIndex || i < statementIndex); i++)
                {
                    var sql = statements[i];
                    if (sql.Kind != StatementKind.AlterTable || TableName.From(sql.Table) != table)
                    {
                        continue;
                    }

                    foreach (var action in sql.Actions)
                    {
                        if (action.Kind == AlterTableActionKind.AddConstraint)
                        {
                            var proves = action.Constraint == ConstraintKind.Check && action.CheckExpression is { } check && ProvesNotNull(check, column);
                            if (proves && !action.NotValid)
                            {
                                return true;
                            }

                            if (action.Name != null)
                            {
                                added[action.Name] = proves;
                            }
                        }
                        else if (action.Kind == AlterTableActionKind.ValidateConstraint
                                 && (action.Name is null || !added.TryGetValue(action.Name, out var proves) || proves))
                        {
                            // A constraint added before this migration is trusted to be the NOT NULL check being validated.
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>The check expression contains <c>column IS NOT NULL</c> and no OR (quotes, case and spacing ignored).</summary>
        private static bool ProvesNotNull(string check, string column)
        {
            var text = Regex.Replace(check.Replace("\"", string.Empty), @"\s+", " ");
            if (Regex.IsMatch(text, @"\bOR\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            {
                // a IS NOT NULL OR b does not imply a IS NOT NULL.
                return false;
            }

            var pattern = @"(^|[^\w.])" + Regex.Escape(column) + @"\)?\s*IS NOT NULL";
            return Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
