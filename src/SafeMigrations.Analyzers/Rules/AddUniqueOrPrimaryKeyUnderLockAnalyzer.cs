using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0010: a unique constraint, primary key or exclusion constraint added to an existing table builds its index under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddUniqueOrPrimaryKeyUnderLockAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock,
            title: "Build unique constraints and primary keys from a concurrently created index",
            messageFormat: "{0} builds its index on existing table '{1}' while holding ACCESS EXCLUSIVE on '{1}' until the migration commits: every read and write of '{1}' waits for the whole build; {2}",
            category: RuleCategories.Locking,
            description: "ADD UNIQUE, ADD PRIMARY KEY and ADD EXCLUDE build an index while holding ACCESS EXCLUSIVE on the table: all reads and writes wait for the whole build, which grows with the table. Build the unique index with CREATE UNIQUE INDEX CONCURRENTLY outside a transaction, then attach it with ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX, which is brief.");

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
                if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                {
                    continue;
                }

                var table = sql.Table.ToString();
                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddConstraint && !action.UsingIndex && Keyword(action.Constraint) is { } keyword)
                    {
                        var what = action.Name is null ? "ADD " + keyword : "ADD CONSTRAINT '" + action.Name + "' " + keyword;
                        var nullable = action.Constraint == ConstraintKind.PrimaryKey && TableName.From(sql.Table) is { } named
                            ? NullableColumns(context, named, action.Columns, statement.Step.Index)
                            : null;
                        context.Report(Rule, statement, action, what, table, NullableNote(nullable, TableName.From(sql.Table)) + SafeSequence(keyword));
                    }
                    else if (action.Kind == AlterTableActionKind.AddConstraint && action.UsingIndex && action.Constraint == ConstraintKind.PrimaryKey
                             && action.IndexName != null && TableName.From(sql.Table) is { } keyed
                             && context.Schema.BeforeStep(statement.Step.Index)?.Index(keyed.Schema, action.IndexName) is { Columns: { IsDefault: false } columns }
                             && NullableColumns(context, keyed, columns, statement.Step.Index) is { } nullable)
                    {
                        var what = action.Name is null ? "ADD PRIMARY KEY USING INDEX" : "ADD CONSTRAINT '" + action.Name + "' PRIMARY KEY USING INDEX";
                        context.Report(UsingIndexOnNullableRule, statement, action, what, action.IndexName, table, Describe(nullable));
                    }
                    else if (action.Kind == AlterTableActionKind.AddColumn && InlineIndexKeyword(action) is { } inline)
                    {
                        context.Report(Rule, statement, action, "ADD COLUMN '" + action.Column + "' ... " + inline, table, SafeSequence(inline));
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

        private static string SafeSequence(string keyword) =>
            keyword == "EXCLUDE"
                ? "an exclusion constraint cannot use a prebuilt index: add it while the table is small or empty, or in a maintenance window"
                : "create the index with CREATE UNIQUE INDEX CONCURRENTLY (suppressTransaction: true), then ALTER TABLE ... ADD CONSTRAINT ... " + keyword + " USING INDEX";

        private static string? Keyword(ConstraintKind kind)
        {
            switch (kind)
            {
                case ConstraintKind.Unique:
                    return "UNIQUE";
                case ConstraintKind.PrimaryKey:
                    return "PRIMARY KEY";
                case ConstraintKind.Exclusion:
                    return "EXCLUDE";
                default:
                    return null;
            }
        }

        private static string? InlineIndexKeyword(AlterTableAction action)
        {
            foreach (var kind in action.InlineConstraints)
            {
                if (kind == ConstraintKind.PrimaryKey || kind == ConstraintKind.Unique)
                {
                    return Keyword(kind);
                }
            }

            return null;
        }
    }
}
