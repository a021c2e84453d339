using System.Linq;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    /// <summary>The shared statement rules' judgement and which UPDATE/DELETE forms keyset batches can replace.</summary>
    public class StatementRulesTests
    {
        [Theory]
        [InlineData("UPDATE accounts SET status = 'active' WHERE status IS NULL", "status = 'active'", "status IS NULL")]
        [InlineData("UPDATE ONLY public.accounts SET a = lower(email), b = now() WHERE a IS DISTINCT FROM lower(email)", "a = lower(email), b = now()", "a IS DISTINCT FROM lower(email)")]
        [InlineData("UPDATE \"Users\" SET \"Tier\" = CASE WHEN \"Spent\" > 100 THEN 'gold' ELSE 'basic' END", "\"Tier\" = CASE WHEN \"Spent\" > 100 THEN 'gold' ELSE 'basic' END", null)]
        [InlineData("UPDATE t SET a = 1 WHERE ref IN (SELECT o.id FROM other o WHERE o.t_id = t.id)", "a = 1", "ref IN (SELECT o.id FROM other o WHERE o.t_id = t.id)")]
        public void Idempotent_single_table_updates_have_a_keyset_form(string sql, string set, string? where)
        {
            KeysetForm? form = DataChangeStatements.KeysetFormOf(One(sql));
            Assert.NotNull(form);
            Assert.Equal(set, form!.Set);
            Assert.Equal(where, form.Where);
            Assert.Equal(SafeRewrite.KeysetBatches, StatementRules.Judge(One(sql)).Single().Rewrite);
        }

        [Theory]
        [InlineData("DELETE FROM sessions WHERE expires_at < now()", "expires_at < now()")]
        [InlineData("DELETE FROM audit.events", null)]
        public void Deletes_have_a_keyset_form(string sql, string? where)
        {
            KeysetForm? form = DataChangeStatements.KeysetFormOf(One(sql));
            Assert.NotNull(form);
            Assert.Null(form!.Set);
            Assert.Equal(where, form.Where);
        }

        [Theory]
        [InlineData("UPDATE accounts SET score = score * 2")] // a replayed batch would double again
        [InlineData("UPDATE t SET a = b, b = a")] // a swap reads what it writes
        [InlineData("UPDATE t SET token = gen_random_uuid()")] // volatile: every batch differs from the one statement
        [InlineData("UPDATE orders o SET total = 1 WHERE o.id > 5")] // alias
        [InlineData("UPDATE orders SET total = s.total FROM sums s WHERE orders.id = s.id")] // FROM
        [InlineData("UPDATE t SET a = 1 RETURNING id")] // the result is used
        [InlineData("UPDATE t SET a = DEFAULT")]
        [InlineData("UPDATE t SET (a, b) = (1, 2)")]
        [InlineData("UPDATE t SET flag = true WHERE id = (SELECT min(id) FROM t WHERE NOT flag)")] // reads its own table: sees earlier batches
        [InlineData("DELETE FROM t WHERE id NOT IN (SELECT min(id) FROM public.t GROUP BY email)")] // reads its own table
        [InlineData("UPDATE t SET c = (SELECT max(x) FROM other)")] // a sub-select counts as volatile, as for defaults
        [InlineData("UPDATE t SET c = audit.stamp(c2)")] // a user function may have side effects
        [InlineData("DELETE FROM t USING u WHERE t.id = u.id")]
        [InlineData("DELETE FROM t x WHERE x.a = 1")]
        [InlineData("WITH d AS (SELECT 1) UPDATE t SET a = 1")]
        public void Forms_batches_could_change_have_none(string sql)
        {
            Assert.Null(DataChangeStatements.KeysetFormOf(One(sql)));
            Assert.All(StatementRules.Judge(One(sql)), f => Assert.Equal(SafeRewrite.None, f.Rewrite));
        }

        [Fact]
        public void Findings_carry_the_rule_its_message_and_the_rewrite()
        {
            StatementFinding index = StatementRules.Judge(One("CREATE INDEX ix ON t (a)")).Single();
            Assert.Equal("SM0001", index.Rule.Id);
            Assert.Equal(SafeRewrite.Concurrently, index.Rewrite);
            Assert.StartsWith("CREATE INDEX 'ix' on existing table 't' takes a SHARE lock", index.Message);

            StatementFinding check = StatementRules.Judge(One("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)")).Single();
            Assert.Equal(("SM0009", SafeRewrite.NotValidThenValidate), (check.Rule.Id, check.Rewrite));
            StatementFinding foreignKey = StatementRules.Judge(One("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id)")).Single();
            Assert.Equal(("SM0008", SafeRewrite.NotValidThenValidate), (foreignKey.Rule.Id, foreignKey.Rewrite));
            // Two actions in one statement: reported, not split.
            Assert.All(StatementRules.Judge(One("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0), ADD COLUMN b int")), f => Assert.Equal(SafeRewrite.None, f.Rewrite));
        }

        [Fact]
        public void Heavy_lock_statements_name_every_table_and_have_no_rewrite()
        {
            StatementFinding truncate = StatementRules.Judge(One("TRUNCATE a, b.c")).Single();
            Assert.Equal(("SM0016", SafeRewrite.None), (truncate.Rule.Id, truncate.Rewrite));
            Assert.StartsWith("TRUNCATE of 'a', 'b.c' takes an ACCESS EXCLUSIVE lock on the table until the migration commits, which blocks every query on it", truncate.Message);
            Assert.Contains("REINDEX TABLE CONCURRENTLY", StatementRules.Judge(One("REINDEX TABLE t")).Single().Message);
            Assert.Contains("has no REINDEX CONCURRENTLY", StatementRules.Judge(One("REINDEX TABLE t"), postgresVersion: 11).Single().Message);
        }

        [Theory]
        [InlineData("LOCK TABLE t IN ROW EXCLUSIVE MODE")]
        [InlineData("REINDEX TABLE CONCURRENTLY t")]
        [InlineData("CREATE INDEX CONCURRENTLY ix ON t (a)")]
        [InlineData("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID")]
        [InlineData("UPDATE t SET a = 1 WHERE id = 5")]
        [InlineData("UPDATE \"Orders\" SET a = 1 WHERE \"OrderId\" = 5")]
        [InlineData("DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY id LIMIT 1000)")]
        [InlineData("INSERT INTO t SELECT * FROM u")]
        public void Safe_statements_get_no_finding(string sql) => Assert.Empty(StatementRules.Judge(One(sql)));

        [Theory]
        [InlineData("DROP INDEX ix_a", "DROP INDEX 'ix_a'", SafeRewrite.Concurrently)]
        [InlineData("DROP INDEX IF EXISTS app.ix_a RESTRICT", "DROP INDEX 'ix_a'", SafeRewrite.Concurrently)]
        [InlineData("DROP INDEX ix_a, ix_b", "DROP INDEX 'ix_a'", SafeRewrite.None)] // CONCURRENTLY drops one index
        [InlineData("DROP INDEX ix_a CASCADE", "DROP INDEX 'ix_a'", SafeRewrite.None)] // CONCURRENTLY cannot cascade
        public void Drop_index_without_concurrently_is_SM0002(string sql, string what, SafeRewrite rewrite)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal(("SM0002", rewrite), (finding.Rule.Id, finding.Rewrite));
            Assert.StartsWith(what + " takes an ACCESS EXCLUSIVE lock on the index's table that blocks all reads and writes", finding.Message);
        }

        [Theory]
        [InlineData("DROP INDEX CONCURRENTLY ix_a")]
        [InlineData("DROP INDEX CONCURRENTLY IF EXISTS ix_a")]
        [InlineData("DROP VIEW ix_a_view")]
        public void Concurrent_drops_and_other_drops_are_not_SM0002(string sql) =>
            Assert.DoesNotContain(StatementRules.Judge(One(sql)), f => f.Rule.Id == "SM0002");

        [Theory]
        [InlineData("ALTER TABLE orders ALTER COLUMN code SET NOT NULL", SafeRewrite.NotNullThroughCheck)]
        [InlineData("ALTER TABLE orders ALTER code SET NOT NULL, ALTER note DROP NOT NULL", SafeRewrite.None)] // several actions: no lone rewrite
        public void Set_not_null_is_SM0006(string sql, SafeRewrite rewrite)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal(("SM0006", rewrite, "code"), (finding.Rule.Id, finding.Rewrite, finding.Action!.Column));
            Assert.StartsWith("ALTER COLUMN ... SET NOT NULL sets NOT NULL on column 'code' of existing table 'orders': PostgreSQL scans all of 'orders'", finding.Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (code IS NOT NULL)", true)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (\"code\" IS NOT NULL) NOT VALID; ALTER TABLE orders VALIDATE CONSTRAINT ck", true)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (code IS NOT NULL) NOT VALID", false)] // not validated
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (code IS NOT NULL OR note IS NOT NULL)", false)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total > 0) NOT VALID; ALTER TABLE orders VALIDATE CONSTRAINT ck", false)] // validates another check
        [InlineData("ALTER TABLE other ADD CONSTRAINT ck CHECK (code IS NOT NULL)", false)]
        public void A_validated_not_null_check_earlier_proves_the_column(string earlier, bool proven)
        {
            var proof = new NotNullProof("code");
            foreach (SqlStatement statement in StatementScanner.Scan(earlier))
                proof.Statement(statement, t => t?.Name == "orders");
            Assert.Equal(proven, proof.Proven);
        }

        [Theory]
        [InlineData("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()", "with the volatile default gen_random_uuid() (evaluated for every existing row)")]
        [InlineData("ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY", "as an identity column (a value is generated for every existing row)")]
        [InlineData("ALTER TABLE orders ADD COLUMN n serial", "as a serial column (nextval() is evaluated for every existing row)")]
        public void Add_column_filling_every_row_is_SM0004(string sql, string reason)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal(("SM0004", SafeRewrite.None), (finding.Rule.Id, finding.Rewrite));
            Assert.StartsWith("ADD COLUMN '" + finding.Action!.Column + "' adds a column to existing table 'orders' " + reason + ": PostgreSQL rewrites 'orders'", finding.Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders ADD COLUMN placed timestamptz DEFAULT now()")] // stable: a fast default
        [InlineData("ALTER TABLE orders ADD COLUMN flag boolean NOT NULL DEFAULT false")]
        [InlineData("ALTER TABLE orders ADD COLUMN note text DEFAULT NULL")]
        public void Add_column_with_a_fast_default_is_not_SM0004(string sql) =>
            Assert.DoesNotContain(StatementRules.Judge(One(sql)), f => f.Rule.Id == "SM0004");

        [Fact]
        public void Before_PostgreSQL_11_any_default_is_SM0004() =>
            Assert.Equal("SM0004", StatementRules.Judge(One("ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false"), postgresVersion: 10).Single().Rule.Id);

        [Theory]
        [InlineData("ALTER TABLE orders ALTER COLUMN total TYPE bigint", false, "to bigint (the old type is unknown, so a rewrite is assumed)")]
        [InlineData("ALTER TABLE orders ALTER COLUMN code TYPE text USING upper(code)", false, "with USING upper(code) (a USING expression is assumed to rewrite every row)")]
        [InlineData("ALTER TABLE orders ALTER COLUMN placed TYPE timestamptz", false, "to timestamptz while the session TimeZone is not set to UTC")]
        [InlineData("ALTER TABLE orders ALTER COLUMN placed TYPE timestamptz", true, null)]
        [InlineData("ALTER TABLE orders ALTER COLUMN code TYPE text", false, null)] // the usual widening
        [InlineData("ALTER TABLE orders ALTER COLUMN code TYPE varchar USING code::varchar", false, null)]
        public void Type_changes_judged_from_the_statement_are_SM0007(string sql, bool utc, string? change)
        {
            StatementFinding? finding = StatementRules.Judge(One(sql), sessionIsUtc: utc).SingleOrDefault(f => f.Rule.Id == "SM0007");
            if (change is null)
                Assert.Null(finding);
            else
                Assert.StartsWith("ALTER COLUMN ... TYPE changes the type of column '" + finding!.Action!.Column + "' of existing table 'orders' " + change, finding.Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE (code)", "ADD CONSTRAINT 'uq_code' UNIQUE", SafeRewrite.KeyThroughIndex)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT \"PK_orders\" PRIMARY KEY (id, code)", "ADD CONSTRAINT 'PK_orders' PRIMARY KEY", SafeRewrite.KeyThroughIndex)]
        [InlineData("ALTER TABLE orders ADD UNIQUE (code)", "ADD UNIQUE", SafeRewrite.None)] // no name to build the index under
        [InlineData("ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE (code) INCLUDE (note)", "ADD CONSTRAINT 'uq_code' UNIQUE", SafeRewrite.None)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE (code) DEFERRABLE", "ADD CONSTRAINT 'uq_code' UNIQUE", SafeRewrite.None)]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ex EXCLUDE USING gist (span WITH &&)", "ADD CONSTRAINT 'ex' EXCLUDE", SafeRewrite.None)]
        [InlineData("ALTER TABLE orders ADD COLUMN ref text UNIQUE", "ADD COLUMN 'ref' ... UNIQUE", SafeRewrite.None)]
        public void Keys_built_under_the_lock_are_SM0010(string sql, string what, SafeRewrite rewrite)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single(f => f.Rule.Id == "SM0010");
            Assert.Equal(rewrite, finding.Rewrite);
            Assert.StartsWith(what + " builds its index on existing table 'orders' while holding ACCESS EXCLUSIVE", finding.Message);
        }

        [Fact]
        public void A_key_attached_from_an_index_is_not_SM0010() =>
            Assert.DoesNotContain(StatementRules.Judge(One("ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE USING INDEX uq_code")), f => f.Rule.Id == "SM0010");

        [Theory]
        [InlineData("DROP TABLE order_notes", "table 'order_notes'")]
        [InlineData("DROP TABLE IF EXISTS a, app.b CASCADE", "tables 'a', 'app.b'")]
        public void Drop_table_is_SM0014(string sql, string what)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal("SM0014", finding.Rule.Id);
            Assert.StartsWith("Dropping " + what + " outside the contract phase breaks the app version still running", finding.Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders RENAME COLUMN note TO remark", "RENAME COLUMN renames column 'note' of 'orders' to 'remark' while the running app version")]
        [InlineData("ALTER TABLE app.orders RENAME note TO \"Remark\"", "RENAME COLUMN renames column 'note' of 'app.orders' to 'Remark' while")]
        public void Rename_column_is_SM0011(string sql, string message)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal(("SM0011", SafeRewrite.None), (finding.Rule.Id, finding.Rewrite));
            Assert.StartsWith(message, finding.Message);
            Assert.Contains("and this migration then adds a new column 'note'", StatementRules.Readded(finding).Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders RENAME TO purchases", "RENAME TO renames table 'orders' to 'purchases'", "(CREATE VIEW orders AS SELECT * FROM purchases)")]
        [InlineData("ALTER TABLE orders SET SCHEMA archive", "SET SCHEMA renames table 'orders' to 'archive.orders'", "(CREATE VIEW orders AS SELECT * FROM archive.orders)")]
        [InlineData("ALTER TABLE orders RENAME TO \"Orders\"", "RENAME TO renames table 'orders' to 'Orders'", "(CREATE VIEW orders AS SELECT * FROM \"Orders\")")]
        public void Rename_table_is_SM0012_with_the_view_to_create(string sql, string what, string view)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal("SM0012", finding.Rule.Id);
            Assert.StartsWith(what, finding.Message);
            Assert.Contains(view, finding.Message);
        }

        [Theory]
        [InlineData("ALTER TABLE orders RENAME COLUMN note TO note")]
        [InlineData("ALTER TABLE orders SET SCHEMA public")]
        [InlineData("ALTER TABLE public.orders RENAME TO orders")]
        [InlineData("ALTER TABLE orders RENAME CONSTRAINT ck_a TO ck_b")]
        [InlineData("ALTER TABLE orders DROP CONSTRAINT ck_a")]
        public void Renames_that_keep_the_name_and_constraint_changes_are_not_compatibility_findings(string sql) =>
            Assert.DoesNotContain(StatementRules.Judge(One(sql)), f => StatementRules.IsCompatibilityRule(f.Rule));

        [Theory]
        [InlineData("ALTER TABLE orders DROP COLUMN total", "column 'total'")]
        [InlineData("ALTER TABLE orders DROP COLUMN IF EXISTS total CASCADE, DROP COLUMN note", "columns 'total', 'note'")]
        public void Drop_column_is_one_SM0013_per_statement(string sql, string what)
        {
            StatementFinding finding = StatementRules.Judge(One(sql)).Single();
            Assert.Equal("SM0013", finding.Rule.Id);
            Assert.StartsWith("Dropping " + what + " of 'orders' outside the contract phase", finding.Message);
        }

        [Theory]
        [InlineData("CREATE VIEW orders AS SELECT * FROM purchases", true)]
        [InlineData("CREATE OR REPLACE VIEW public.orders AS SELECT * FROM \"purchases\"", true)]
        [InlineData("CREATE VIEW orders AS SELECT * FROM other", false)]
        [InlineData("CREATE VIEW old_orders AS SELECT * FROM purchases", false)]
        public void A_view_under_the_old_name_over_the_new_one_keeps_a_renamed_table_working(string sql, bool compatible) =>
            Assert.Equal(compatible, StatementRules.IsCompatibilityView(One(sql), new QualifiedName(null, "orders"), new QualifiedName(null, "purchases")));

        [Fact]
        public void Set_local_TimeZone_lasts_until_the_commit_and_set_until_the_end()
        {
            var zone = new SessionTimeZoneState();
            zone.Statement(One("SET LOCAL TimeZone = 'UTC'"), inTransaction: true);
            Assert.True(zone.IsUtc);
            zone.Commit();
            Assert.False(zone.IsUtc);

            // In a suppressed command (autocommit) SET LOCAL does nothing; a COMMIT in the text ends it too.
            zone.Statement(One("SET LOCAL TimeZone = 'UTC'"), inTransaction: false);
            Assert.False(zone.IsUtc);
            zone.Statement(One("SET LOCAL TIME ZONE 'UTC'"), inTransaction: true);
            zone.Statement(One("COMMIT"), inTransaction: true);
            Assert.False(zone.IsUtc);

            zone.Statement(One("SET TimeZone = 'Etc/UTC'"), inTransaction: true);
            zone.Commit();
            Assert.True(zone.IsUtc);
            zone.Statement(One("SET LOCAL TimeZone = 'Europe/Berlin'"), inTransaction: true);
            Assert.False(zone.IsUtc);
            zone.Commit();
            Assert.True(zone.IsUtc);
            zone.Statement(One("RESET ALL"), inTransaction: true);
            Assert.False(zone.IsUtc);
        }
    }
}
