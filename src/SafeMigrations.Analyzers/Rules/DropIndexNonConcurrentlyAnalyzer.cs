using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0002: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table (Npgsql's DropIndex always does).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropIndexNonConcurrentlyAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropIndexNonConcurrently,
            title: "Drop indexes concurrently",
            messageFormat: "{0} takes an ACCESS EXCLUSIVE lock on {1} that blocks all reads and writes of it until the migration commits, and queues every later query behind any long-running one; drop it concurrently: migrationBuilder.Sql(\"DROP INDEX CONCURRENTLY IF EXISTS ...\", suppressTransaction: true)",
            category: RuleCategories.Locking,
            description: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; Npgsql's DropIndex never emits CONCURRENTLY. While the lock waits behind a running query, every other query on the table waits too. Use DROP INDEX CONCURRENTLY outside a transaction.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropIndex") && !(step.Name is { } name && NeverCreated(context, step.Index, -1, step.Schema, name)))
                {
                    context.Report(Rule, step, "DropIndex '" + (step.Name ?? "?") + "'", Describe(step.Table?.ToString()));
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind == StatementKind.DropIndex && !sql.Concurrently && !(sql.IfExists && NeverCreated(context, statement)))
                {
                    var what = sql.Index is null ? "DROP INDEX" : "DROP INDEX '" + sql.Index.Name + "'";
                    context.Report(Rule, statement, what, Describe(sql.Table?.ToString()));
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

        private static string Describe(string? table) => table is null ? "the index's table" : "table '" + table + "'";
    }
}
