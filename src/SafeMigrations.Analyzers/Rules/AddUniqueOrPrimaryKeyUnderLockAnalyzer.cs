using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
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

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

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
                    context.Report(Rule, step, "AddPrimaryKey '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?", SafeSequence("PRIMARY KEY"));
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
                        context.Report(Rule, statement, action, what, table, SafeSequence(keyword));
                    }
                    else if (action.Kind == AlterTableActionKind.AddColumn && InlineIndexKeyword(action) is { } inline)
                    {
                        context.Report(Rule, statement, action, "ADD COLUMN '" + action.Column + "' ... " + inline, table, SafeSequence(inline));
                    }
                }
            }
        }

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
