using SafeMigrations.Sql;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    public class BodyTests
    {
        [Fact]
        public void Do_block_body()
        {
            var s = One("DO LANGUAGE plpgsql $EF$ BEGIN IF NOT EXISTS(SELECT 1) THEN CREATE INDEX i ON t (c); END IF; END $EF$;");
            Assert.Equal(StatementKind.Do, s.Kind);
            Assert.Equal(" BEGIN IF NOT EXISTS(SELECT 1) THEN CREATE INDEX i ON t (c); END IF; END ", s.Body);
        }

        [Fact]
        public void Function_body_after_parameters_with_defaults()
        {
            var s = One("CREATE FUNCTION f(a text DEFAULT 'x') RETURNS text LANGUAGE sql AS $$ SELECT a $$");
            Assert.Equal(" SELECT a ", s.Body);
        }

        [Fact]
        public void Function_body_in_single_quotes()
        {
            Assert.Equal("select 'a'", One("CREATE FUNCTION f() RETURNS text AS 'select ''a''' LANGUAGE sql").Body);
        }

        [Fact]
        public void Atomic_body()
        {
            var s = One("CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC UPDATE t SET a = 1; DELETE FROM u; END");
            Assert.Equal("UPDATE t SET a = 1; DELETE FROM u;", s.Body);
        }

        [Fact]
        public void No_body()
        {
            Assert.Null(One("DO").Body);
            Assert.Null(One("SELECT 'x'").Body);
        }
    }
}
