using System;
using System.Text;
using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    public class RobustnessTests
    {
        private static readonly string[] Fragments =
        {
            "ALTER", "TABLE", "ADD", "COLUMN", "CONSTRAINT", "CHECK", "(", ")", "[", "]", ",", ";", "'", "\"", "$$", "$a$",
            "E'", "\\", "U&", "--", "/*", "*/", "UPDATE", "SET", "WHERE", "IN", "SELECT", "LIMIT", "BETWEEN", "AND", "OR",
            "CREATE", "INDEX", "ON", "DROP", "WITH", "AS", "DEFAULT", "NOT", "NULL", "::", "=", "<", ">", "1", "$1", "@p",
            "x", "\"Q\"", "REINDEX", "VACUUM", "LOCK", "IN", "MODE", "USING", "RENAME", "TO", "TYPE", "BEGIN", "ATOMIC", "END",
            "DO", "FUNCTION", "GENERATED", "ALWAYS", "IDENTITY", "REFERENCES", "FOREIGN", "KEY", "PRIMARY", "UNIQUE", "\n", " ",
        };

        [Fact]
        public void Random_fragment_soup_never_throws()
        {
            var random = new Random(12345);
            for (int n = 0; n < 3000; n++)
            {
                var sql = new StringBuilder();
                int count = random.Next(1, 25);
                for (int k = 0; k < count; k++)
                {
                    sql.Append(Fragments[random.Next(Fragments.Length)]);
                    if (random.Next(3) > 0)
                        sql.Append(' ');
                }

                string text = sql.ToString();
                foreach (var statement in StatementScanner.Scan(text))
                {
                    Assert.True(statement.Start >= 0 && statement.Start + statement.Text.Length <= text.Length);
                    foreach (var action in statement.Actions)
                    {
                        if (action.DefaultExpression != null)
                            DefaultExpressions.IsVolatile(action.DefaultExpression);
                        if (action.DataType != null)
                            ColumnTypes.Classify(action.DataType, action.DataType);
                    }
                }

                DefaultExpressions.IsVolatile(text);
                ColumnTypes.Normalize(text);
                ColumnTypes.Classify(text, text);
            }
        }

        [Fact]
        public void Random_characters_never_throw()
        {
            var random = new Random(678);
            const string alphabet = "abcXYZ019 _$'\"();,.:[]-+*/<>=~!@#%^&|`?\\\n\tEeUu&";
            for (int n = 0; n < 3000; n++)
            {
                var chars = new char[random.Next(0, 40)];
                for (int k = 0; k < chars.Length; k++)
                    chars[k] = alphabet[random.Next(alphabet.Length)];
                string text = new string(chars);
                SqlLexer.Tokenize(text, includeComments: true);
                StatementScanner.Scan(text);
                DefaultExpressions.IsVolatile(text);
                ColumnTypes.Normalize(text);
            }
        }

        [Fact]
        public void Tokens_cover_the_input_in_order()
        {
            string sql = "ALTER TABLE \"a\"\"b\" ADD c text DEFAULT E'x\\'y' /* c /* n */ */ -- t\n; SELECT $t$ $ $t$, $1";
            var tokens = SqlLexer.Tokenize(sql, includeComments: true);
            int position = 0;
            foreach (var token in tokens)
            {
                Assert.True(token.Offset >= position);
                Assert.Equal(token.Text, sql.Substring(token.Offset, token.Length));
                Assert.True(string.IsNullOrWhiteSpace(sql.Substring(position, token.Offset - position)));
                position = token.End;
            }

            Assert.True(string.IsNullOrWhiteSpace(sql.Substring(position)));
        }
    }
}
