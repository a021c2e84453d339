using System.Collections.Generic;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// Per-table exemptions for raw statements that name several tables (DROP TABLE a, b; TRUNCATE a, b; LOCK a, b;
    /// VACUUM FULL a, b). <see cref="MigrationContext.IsExempt(StepStatement)"/> exempts such a statement only when
    /// every table is covered by the same exemption; rules that report "each table" ask per table instead, through the
    /// same shared exemptions, and name only the tables that are not covered.
    /// </summary>
    internal static class StatementTables
    {
        /// <summary>
        /// The statement's tables that the rule's exemptions do not cover, each with a one-table copy of the statement
        /// to report with (reporting with it applies exactly the exemptions that were checked). Empty when the statement
        /// names no table.
        /// </summary>
        public static List<(TableName Table, StepStatement Statement)> NotExempt(MigrationContext context, StepStatement statement)
        {
            var result = new List<(TableName, StepStatement)>();
            var seen = new HashSet<TableName>();
            foreach (var name in Names(statement.Statement))
            {
                var table = new TableName(name.Schema, name.Name);
                if (!seen.Add(table))
                {
                    continue;
                }

                var single = new SqlStatement(statement.Statement.Text, statement.Statement.Start)
                {
                    Kind = statement.Statement.Kind,
                    Table = name,
                    Tokens = statement.Statement.Tokens,
                };
                var perTable = new StepStatement(statement.Step, single, statement.StatementIndex);
                if (!context.IsExempt(perTable))
                {
                    result.Add((table, perTable));
                }
            }

            return result;
        }

        /// <summary><c>'a'</c>, or <c>'a', 'b'</c>.</summary>
        public static string Quote(IEnumerable<string> names) => "'" + string.Join("', '", names) + "'";

        private static IReadOnlyList<QualifiedName> Names(SqlStatement statement)
        {
            if (statement.Tables.Count > 0)
            {
                return statement.Tables;
            }

            return statement.Table is null ? new QualifiedName[0] : new[] { statement.Table };
        }
    }
}
