using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0015: a raw UPDATE or DELETE that changes every matching row of an existing table in one statement.</summary>
    /// <remarks>
    /// Only raw SQL is read: EF's UpdateData/DeleteData/InsertData are keyed by primary key, and the one-shot
    /// <c>UPDATE ... WHERE c IS NULL</c> that AlterColumn emits before SET NOT NULL is SM0006's to report.
    /// INSERT ... SELECT is not flagged: new rows are invisible to other transactions until commit and lock nothing
    /// that concurrent writers of existing rows need.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnbatchedDataChangeAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.UnbatchedDataChange,
            title: StatementRules.UnbatchedDataChange.Title,
            messageFormat: StatementRules.UnbatchedDataChange.MessageFormat,
            category: RuleCategories.Data,
            description: StatementRules.UnbatchedDataChange.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var statement in context.Model.SqlStatements())
            {
                // The judgement is shared with the engine (SafeMigrations.Sql.Rules); only Down undoing Up is decided here.
                foreach (var finding in StatementRules.DataChanges(statement.Statement))
                {
                    if (!UndoesUp(context, finding.Statement))
                    {
                        var located = ReferenceEquals(finding.Statement, statement.Statement) ? statement : new StepStatement(statement.Step, finding.Statement, statement.StatementIndex);
                        context.Report(Rule, located, finding.Arguments);
                    }
                }
            }
        }

        /// <summary>
        /// In <c>Down</c>, the data counterpart of "Down undoing Up": a DELETE from or an UPDATE of a table the same
        /// migration's <c>Up</c> created, a DELETE of rows from a table <c>Up</c> inserted into (raw INSERT or
        /// InsertData: removing seed rows), an UPDATE of a table <c>Up</c> updated (reverting a data fix).
        /// </summary>
        private static bool UndoesUp(MigrationContext context, SqlStatement sql)
        {
            if (!context.IsDown || context.UpModel is null || TableName.From(sql.Table) is not { } table)
            {
                return false;
            }

            // safe_migrations.analyze_down: only removing what Up created (its tables' or its inserted rows) is exempt;
            // an UPDATE that reverts Up's data change rewrites rows of a live table on rollback.
            if (context.Options.AnalyzeDown && sql.Kind != StatementKind.Delete)
            {
                return false;
            }

            foreach (var created in context.UpModel.CreatedTables)
            {
                if (created == table)
                {
                    return true;
                }
            }

            var isDelete = sql.Kind == StatementKind.Delete;
            foreach (var step in context.UpModel.Steps)
            {
                if (step.MethodName == (isDelete ? "InsertData" : "UpdateData") && step.Table == table)
                {
                    return true;
                }
            }

            foreach (var statement in context.UpModel.SqlStatements())
            {
                var up = statement.Statement;
                if (up.Kind == (isDelete ? StatementKind.Insert : StatementKind.Update) && TableName.From(up.Table) == table)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
