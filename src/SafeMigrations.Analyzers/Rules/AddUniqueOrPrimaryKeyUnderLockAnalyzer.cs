using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0010: a unique constraint, primary key or exclusion constraint added to an existing table builds its index under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddUniqueOrPrimaryKeyUnderLockAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock,
            title: StatementRules.AddUniqueOrPrimaryKeyUnderLock.Title,
            messageFormat: StatementRules.AddUniqueOrPrimaryKeyUnderLock.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.AddUniqueOrPrimaryKeyUnderLock.Description);

        /// <summary>ADD PRIMARY KEY USING INDEX builds nothing, but on nullable columns it scans for NULLs under its lock.</summary>
        public static readonly DiagnosticDescriptor UsingIndexOnNullableRule = RuleDescriptors.Create(
            RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock,
            title: Rule.Title.ToString(),
            messageFormat: "{0} makes index '{1}' the primary key of existing table '{2}', but {3} nullable: PostgreSQL first runs an implicit SET NOT NULL that scans all of '{2}' under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it until the migration commits; make the columns NOT NULL through a validated check first (migrationBuilder.SetNotNullThroughCheck(...) in an earlier migration), then attach the index",
            category: RuleCategories.Locking,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, UsingIndexOnNullableRule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsExtension)
                {
                    continue;
                }

                if (step.MethodName == "AddUniqueConstraint")
                {
                    context.Report(Rule, step, "AddUniqueConstraint '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?", SafeSequence("UNIQUE"));
                }
                else if (step.MethodName == "AddPrimaryKey")
                {
                    var nullable = step.Table is { } table ? NullableColumns(context, table, KeyColumns(step), step.Index) : null;
                    context.Report(Rule, step, "AddPrimaryKey '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?", NullableNote(nullable, step.Table) + SafeSequence("PRIMARY KEY"));
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                foreach (var finding in StatementRules.AddKeys(sql))
                {
                    var action = finding.Action!;
                    // A primary key on columns the history knows to be nullable also scans them: said before the advice.
                    var nullable = action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.PrimaryKey && TableName.From(sql.Table) is { } named
                        ? NullableColumns(context, named, action.Columns, statement.Step.Index)
                        : null;
                    context.Report(Rule, statement, action, finding.Arguments[0], finding.Arguments[1], NullableNote(nullable, TableName.From(sql.Table)) + finding.Arguments[2]);
                }

                if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                {
                    continue;
                }

                var table = sql.Table.ToString();
                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddConstraint && action.UsingIndex && action.Constraint == ConstraintKind.PrimaryKey
                        && action.IndexName != null && TableName.From(sql.Table) is { } keyed
                        && context.Schema.BeforeStep(statement.Step.Index)?.Index(keyed.Schema, action.IndexName) is { Columns: { IsDefault: false } columns }
                        && NullableColumns(context, keyed, columns, statement.Step.Index) is { } nullable)
                    {
                        var what = action.Name is null ? "ADD PRIMARY KEY USING INDEX" : "ADD CONSTRAINT '" + action.Name + "' PRIMARY KEY USING INDEX";
                        context.Report(UsingIndexOnNullableRule, statement, action, what, action.IndexName, table, Describe(nullable));
                    }
                }
            }
        }

        /// <summary>The key columns the history knows to be nullable just before the step; null when none is (or nothing is known).</summary>
        private static List<string>? NullableColumns(MigrationContext context, TableName table, IReadOnlyList<string>? columns, int stepIndex)
        {
            if (columns is null || columns.Count == 0 || !(context.Schema.BeforeStep(stepIndex) is { } schema))
            {
                return null;
            }

            var nullable = new List<string>();
            foreach (var column in columns)
            {
                if (schema.Column(table, column)?.IsNullable == true)
                {
                    nullable.Add(column);
                }
            }

            return nullable.Count == 0 ? null : nullable;
        }

        private static IReadOnlyList<string>? KeyColumns(MigrationStep step) =>
            step.GetString("column") is { } column ? new[] { column } : (IReadOnlyList<string>?)step["columns"].AsStrings()?.Where(c => c != null).Select(c => c!).ToList();

        private static string Describe(List<string> columns) =>
            (columns.Count == 1 ? "column " : "columns ") + StatementTables.Quote(columns) + (columns.Count == 1 ? " is" : " are");

        private static string NullableNote(List<string>? nullable, TableName? table) =>
            nullable is null
                ? string.Empty
                : "and as " + Describe(nullable) + " nullable, PostgreSQL also runs an implicit SET NOT NULL that scans all of '" + table + "' under the same lock: make "
                  + (nullable.Count == 1 ? "it" : "them") + " NOT NULL through a validated check first (migrationBuilder.SetNotNullThroughCheck(...)), then ";

        private static string SafeSequence(string keyword) => StatementRules.KeySafeSequence(keyword);
    }
}
