using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>Splits PostgreSQL text into statements and classifies each one.</summary>
    public static class StatementScanner
    {
        /// <summary>
        /// Scans every top-level statement in <paramref name="sql"/>. Never throws on malformed input.
        /// Statements are separated by ';' outside strings, comments, dollar-quoted bodies and BEGIN ATOMIC ... END
        /// function bodies. Empty statements (only whitespace and comments, e.g. ";;" or a lone comment) are skipped,
        /// so <see cref="StatementKind.Empty"/> never appears in the result. Each statement's text and
        /// <see cref="SqlStatement.Start"/> begin at its first token after any leading comments.
        /// </summary>
        public static IReadOnlyList<SqlStatement> Scan(string sql)
        {
            var statements = new List<SqlStatement>();
            if (string.IsNullOrEmpty(sql))
                return statements;

            IReadOnlyList<SqlToken> tokens = SqlLexer.Tokenize(sql);
            var current = new List<SqlToken>();
            int atomicDepth = 0;
            foreach (SqlToken token in tokens)
            {
                if (token.Kind == SqlTokenKind.Semicolon && atomicDepth == 0)
                {
                    if (current.Count > 0)
                        statements.Add(StatementClassifier.Classify(sql, current));
                    current = new List<SqlToken>();
                    continue;
                }

                current.Add(token);
                atomicDepth = TrackAtomicBody(current, atomicDepth);
            }

            if (current.Count > 0)
                statements.Add(StatementClassifier.Classify(sql, current));
            return statements;
        }

        /// <summary>Classifies one statement (the text up to, not including, its semicolon).</summary>
        public static SqlStatement Classify(string statement)
        {
            IReadOnlyList<SqlToken> tokens = SqlLexer.Tokenize(statement);
            if (tokens.Count == 0)
                return new SqlStatement(string.Empty, 0) { Kind = StatementKind.Empty };
            return StatementClassifier.Classify(statement, tokens);
        }

        /// <summary>
        /// A SQL-standard function body (CREATE FUNCTION ... BEGIN ATOMIC ... END, PostgreSQL 14) contains semicolons;
        /// like psql, count BEGIN/CASE against END inside it.
        /// </summary>
        private static int TrackAtomicBody(List<SqlToken> current, int atomicDepth)
        {
            SqlToken last = current[current.Count - 1];
            if (atomicDepth == 0)
            {
                if (last.IsKeyword("atomic") && current.Count >= 2 && current[current.Count - 2].IsKeyword("begin") && current[0].IsKeyword("create"))
                    return 1;
                return 0;
            }

            if (last.IsKeyword("begin") || last.IsKeyword("case"))
                return atomicDepth + 1;
            if (last.IsKeyword("end"))
                return atomicDepth - 1;
            return atomicDepth;
        }
    }
}
