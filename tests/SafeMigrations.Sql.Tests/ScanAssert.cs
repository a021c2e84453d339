using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    internal static class ScanAssert
    {
        public static SqlStatement One(string sql)
        {
            var statements = StatementScanner.Scan(sql);
            Assert.Single(statements);
            return statements[0];
        }

        public static AlterTableAction OneAction(string sql)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.AlterTable, s.Kind);
            Assert.Single(s.Actions);
            return s.Actions.Single();
        }
    }
}
