using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0002: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table (Npgsql's DropIndex always does).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropIndexNonConcurrentlyAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropIndexNonConcurrently,
            title: StatementRules.DropIndexNonConcurrently.Title,
            messageFormat: StatementRules.DropIndexNonConcurrently.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.DropIndexNonConcurrently.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropIndex") && !(step.Name is { } name && NeverCreated(context, step.Index, -1, step.Schema, name)))
                {
                    context.Report(Rule, step, "DropIndex '" + (step.Name ?? "?") + "'", StatementRules.IndexTable(step.Table?.ToString()));
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                foreach (var finding in StatementRules.DropIndex(statement.Statement))
                {
                    if (!(statement.Statement.IfExists && NeverCreated(context, statement)))
                    {
                        context.Report(Rule, statement, finding.Arguments);
                    }
                }
            }
        }

        /// <summary>
        /// Every index the raw DROP INDEX IF EXISTS names is one no earlier migration (nor an earlier step) created, and the
        /// history is complete: it drops nothing and takes no lock.
        /// </summary>
        private static bool NeverCreated(MigrationContext context, StepStatement statement)
        {
            var sql = statement.Statement;
            var names = sql.Indexes.Count > 0 ? sql.Indexes : sql.Index is { } single ? new[] { single } : Array.Empty<QualifiedName>();
            if (names.Count == 0)
            {
                return false;
            }

            foreach (var index in names)
            {
                if (!NeverCreated(context, statement.Step.Index, statement.StatementIndex, index.Schema, index.Name))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool NeverCreated(MigrationContext context, int stepIndex, int statementIndex, string? schema, string name)
        {
            if (!(context.Schema.BeforeStep(stepIndex) is { } before) || !before.IsKnownAbsentIndex(schema, name))
            {
                return false;
            }

            // Earlier statements of the same Sql(...) call that may create an index (or a constraint's index): not sure.
            var step = context.Model.Steps[stepIndex];
            for (var i = 0; step.Sql != null && i < statementIndex; i++)
            {
                switch (step.Sql.Statements[i].Kind)
                {
                    case StatementKind.CreateIndex:
                    case StatementKind.CreateTable:
                    case StatementKind.AlterTable:
                    case StatementKind.AlterIndex:
                    case StatementKind.Do:
                    case StatementKind.Other:
                    case StatementKind.Unknown:
                        return false;
                }
            }

            return true;
        }
    }
}
