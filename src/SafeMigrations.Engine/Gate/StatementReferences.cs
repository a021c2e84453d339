using System;
using System.Collections.Generic;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>
    /// Whether an application's statement (as <c>pg_stat_statements</c> shows it, constants replaced by <c>$n</c>)
    /// names a contract target, read through the statement scanner's tokens: quoted names match exactly, unquoted ones
    /// folded to lower case, a qualified table only in the target's schema. A column counts when the statement also
    /// names its table (or any table of that name): a column of the same name on another table in the same statement
    /// is counted too, which errs on the side of refusing. String literals, comments and <c>SELECT *</c> never match.
    /// </summary>
    internal static class StatementReferences
    {
        /// <summary>
        /// True for statements an app version sends (queries and DML); DDL, <c>DO</c> blocks, function bodies (the sync
        /// trigger's), <c>SET</c> and transaction control are the migration's own and never count.
        /// </summary>
        public static bool IsApplicationStatement(SqlStatement statement) => statement.Kind switch
        {
            StatementKind.Select or StatementKind.Insert or StatementKind.Update or StatementKind.Delete => true,
            // MERGE, COPY, VALUES, TABLE t, CALL: not tracked by the classifier, still an app's.
            StatementKind.Other or StatementKind.Unknown => statement.Tokens.Count > 0
                && (statement.Tokens[0].IsKeyword("merge") || statement.Tokens[0].IsKeyword("copy") || statement.Tokens[0].IsKeyword("values")
                    || statement.Tokens[0].IsKeyword("table") || statement.Tokens[0].IsKeyword("call") || statement.Tokens[0].Kind == SqlTokenKind.OpenParen),
            _ => false,
        };

        /// <summary>True when an application statement in <paramref name="query"/> names <paramref name="target"/>.</summary>
        public static bool References(string query, ContractTarget target)
        {
            foreach (SqlStatement statement in StatementScanner.Scan(query))
            {
                if (IsApplicationStatement(statement) && References(statement.Tokens, target))
                    return true;
            }
            return false;
        }

        private static bool References(IReadOnlyList<SqlToken> tokens, ContractTarget target)
        {
            bool table = false;
            bool column = target.Column is null;
            for (int i = 0; i < tokens.Count; i++)
            {
                SqlToken token = tokens[i];
                if (!token.IsName)
                    continue;
                if (!table && string.Equals(token.Value, target.Table, StringComparison.Ordinal) && SchemaMatches(tokens, i, target.Schema))
                    table = true;
                else if (!column && string.Equals(token.Value, target.Column, StringComparison.Ordinal) && !IsFunctionCall(tokens, i))
                    column = true;
                if (table && column)
                    return true;
            }
            return false;
        }

        private static bool IsFunctionCall(IReadOnlyList<SqlToken> tokens, int i) => i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.OpenParen;

        /// <summary>An unqualified name may be the target through the search_path; a qualified one only in its schema.</summary>
        private static bool SchemaMatches(IReadOnlyList<SqlToken> tokens, int i, string? schema)
        {
            if (schema is null || i < 2 || tokens[i - 1].Kind != SqlTokenKind.Dot)
                return true;
            return tokens[i - 2].IsName && string.Equals(tokens[i - 2].Value, schema, StringComparison.Ordinal);
        }
    }
}
