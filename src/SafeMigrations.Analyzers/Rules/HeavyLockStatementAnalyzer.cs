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
    /// <summary>
    /// SM0016: raw maintenance statements that lock a table for reads or writes for as long as they run or rewrite it:
    /// LOCK TABLE (SHARE or stronger), VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY, TRUNCATE,
    /// REFRESH MATERIALIZED VIEW without CONCURRENTLY, ALTER TABLE ... SET TABLESPACE / SET [UN]LOGGED, DETACH PARTITION
    /// without CONCURRENTLY, VALIDATE CONSTRAINT in one ALTER TABLE with an ACCESS EXCLUSIVE subcommand, and ALTER DOMAIN
    /// ADD CONSTRAINT / SET NOT NULL / VALIDATE CONSTRAINT (they check every column of the domain under SHARE locks).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HeavyLockStatementAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.HeavyLockStatement,
            title: HeavyLockStatements.Rule.Title,
            messageFormat: HeavyLockStatements.Rule.MessageFormat,
            category: RuleCategories.Locking,
            description: HeavyLockStatements.Rule.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var statement in context.Model.SqlStatements())
            {
                // The judgement is shared with the engine (SafeMigrations.Sql.Rules); what only the migration's source
                // shows is decided here: Down emptying what Up created, a view created earlier, a VALIDATE SM0008/SM0009 report.
                var sql = statement.Statement;
                if ((sql.Kind == StatementKind.Truncate && TruncatesTablesUpCreated(context, sql))
                    || (sql.Kind == StatementKind.RefreshMaterializedView && ViewCreatedBefore(context, statement)))
                {
                    continue;
                }

                HashSet<AlterTableAction>? validatedUnderAdd = null;
                foreach (var judgement in HeavyLockStatements.Judge(sql, context.Options.PostgresVersion))
                {
                    if (judgement.WhatOfTables is not null)
                    {
                        ReportPerTable(context, statement, judgement.WhatOfTables, judgement.WhatWithoutTables, judgement.Locks, judgement.Blocks, judgement.Instead);
                    }
                    else if (judgement.Action is { } action && sql.Kind == StatementKind.AlterTable)
                    {
                        if (action.Kind == AlterTableActionKind.ValidateConstraint && (validatedUnderAdd ??= ValidatedUnderAdd(context)).Contains(action))
                        {
                            continue;
                        }

                        context.Report(Rule, statement, action, judgement.What, judgement.Locks, judgement.Blocks, judgement.Instead);
                    }
                    else
                    {
                        context.Report(Rule, statement, judgement.What, judgement.Locks, judgement.Blocks, judgement.Instead);
                    }
                }
            }
        }

        /// <summary>SM0008/SM0009 already report a VALIDATE of a constraint added NOT VALID in the same transaction.</summary>
        private static HashSet<AlterTableAction> ValidatedUnderAdd(MigrationContext context)
        {
            var validated = new HashSet<AlterTableAction>();
            foreach (var found in ValidationUnderAddLock.Find(context.Model))
            {
                validated.Add(found.ValidateAction);
            }

            return validated;
        }

        /// <summary>
        /// Another action of the same ALTER TABLE that takes ACCESS EXCLUSIVE (the VALIDATE then scans under it), named
        /// the way it is written; null when every other action takes a weaker lock or is not understood.
        /// </summary>
        internal static string? StrongestOtherAction(SqlStatement sql, AlterTableAction validate) => HeavyLockStatements.StrongestOtherAction(sql, validate);

        /// <summary>
        /// One diagnostic per statement naming each table that no exemption covers (TRUNCATE new_table, orders names
        /// orders only). A statement that names no table (VACUUM FULL; CLUSTER;) works on the whole database.
        /// </summary>
        private static void ReportPerTable(
            MigrationContext context,
            StepStatement statement,
            System.Func<string, string> what,
            string? whatWithoutTables,
            string locks,
            string blocks,
            string instead)
        {
            var sql = statement.Statement;
            if (sql.Table is null && sql.Tables.Count == 0)
            {
                if (whatWithoutTables != null)
                {
                    context.Report(Rule, statement, whatWithoutTables, locks, blocks, instead);
                }

                return;
            }

            var live = StatementTables.NotExempt(context, statement);
            if (live.Count == 0)
            {
                return;
            }

            var names = new List<string>();
            foreach (var (table, _) in live)
            {
                names.Add(table.ToString());
            }

            context.Report(Rule, live[0].Statement, what(StatementTables.Quote(names)), locks, blocks, instead);
        }

        /// <summary>In <c>Down</c>: TRUNCATE of tables that the same migration's <c>Up</c> created (emptying what Up made).</summary>
        private static bool TruncatesTablesUpCreated(MigrationContext context, SqlStatement truncate)
        {
            if (!context.IsDown || context.UpModel is null || truncate.Tables.Count == 0)
            {
                return false;
            }

            var created = new HashSet<TableName>(context.UpModel.CreatedTables);
            foreach (var name in truncate.Tables)
            {
                if (!created.Contains(new TableName(name.Schema, name.Name)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>CREATE MATERIALIZED VIEW earlier in the same method: nothing reads the view yet.</summary>
        private static bool ViewCreatedBefore(MigrationContext context, StepStatement refresh)
        {
            if (TableName.From(refresh.Statement.Table) is not { } view)
            {
                return false;
            }

            foreach (var earlier in context.Model.SqlStatements())
            {
                if (earlier.Step.Index > refresh.Step.Index
                    || (earlier.Step.Index == refresh.Step.Index && earlier.StatementIndex >= refresh.StatementIndex))
                {
                    break;
                }

                if (earlier.Statement.Kind == StatementKind.CreateView && TableName.From(earlier.Statement.Table) == view)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
