using System;
using System.IO;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>
    /// An app whose migration SQL no analyzer can see: it comes from an embedded resource, a file next to the
    /// migrations, a helper method and string interpolation (the same text as constants: RuntimeSqlCases).
    /// </summary>
    public sealed class RuntimeSqlContext : DbContext
    {
        public RuntimeSqlContext(DbContextOptions<RuntimeSqlContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Where the app's migrations get their SQL at run time.</summary>
    internal static class MigrationSql
    {
        public static string Resource(string name)
        {
            using Stream stream = typeof(MigrationSql).Assembly.GetManifestResourceStream("RuntimeSql." + name)
                ?? throw new InvalidOperationException("no embedded resource RuntimeSql." + name);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        // Next to the app's assembly: under the runner (dotnet exec runner.dll) AppContext.BaseDirectory is the runner's.
        public static string File(string name) => System.IO.File.ReadAllText(Path.Combine(Path.GetDirectoryName(typeof(MigrationSql).Assembly.Location)!, "TestApp", "RuntimeSql", name));

        public static string AddCheck(string table, string name, string condition) => $"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition});";
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240501000000_Accounts")]
    public partial class RuntimeSqlAccounts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    email = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: true),
                    score = table.Column<int>(type: "integer", nullable: false),
                    region = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_accounts", x => x.id));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "accounts");
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240502000000_ActivateAccounts")]
    public partial class ActivateAccounts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(MigrationSql.Resource("activate_accounts.sql"));

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240503000000_IndexAccountRegion")]
    public partial class IndexAccountRegion : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(MigrationSql.File("accounts_region_index.sql"));

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP INDEX ix_accounts_region;");
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240504000000_CheckAccountScore")]
    public partial class CheckAccountScore : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(MigrationSql.AddCheck("accounts", "ck_accounts_score", "score >= 0"));

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("ALTER TABLE accounts DROP CONSTRAINT ck_accounts_score;");
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240505000000_PurgeTestAccounts")]
    public partial class PurgeTestAccounts : Migration
    {
        private const string Table = "accounts";
        private const string TestDomain = "example.test";

        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql($"DELETE FROM {Table} WHERE email LIKE '%@{TestDomain}';");

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    [DbContext(typeof(RuntimeSqlContext))]
    [Migration("20240506000000_RescoreAccounts")]
    public partial class RescoreAccounts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            string table = "accounts";
            int factor = 2;
            migrationBuilder.Sql($"UPDATE {table} SET score = score * {factor};\nUPDATE {table} SET region = 'eu' WHERE region IS NULL;");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>Run-time SQL the engine reports but cannot rewrite (a DO block, TRUNCATE), and SQL on tables the migration creates.</summary>
    public sealed class RuntimeSqlReportedContext : DbContext
    {
        public RuntimeSqlReportedContext(DbContextOptions<RuntimeSqlReportedContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Statements on tables this migration creates, EF's and raw: nobody uses them yet, so nothing is judged.</summary>
    [DbContext(typeof(RuntimeSqlReportedContext))]
    [Migration("20240601000000_Ledger")]
    public partial class RuntimeSqlLedger : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ledger",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    amount = table.Column<int>(type: "integer", nullable: false),
                    note = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_ledger", x => x.id));
            migrationBuilder.Sql("CREATE INDEX ix_ledger_note ON ledger (note);");
            migrationBuilder.Sql("CREATE TABLE ledger_archive (id bigint PRIMARY KEY, amount integer);");
            migrationBuilder.Sql("UPDATE ledger_archive SET amount = 0;");
            migrationBuilder.Sql("CREATE TABLE ledger_events (kind text, amount integer);");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    [DbContext(typeof(RuntimeSqlReportedContext))]
    [Migration("20240602000000_FixLedgerNotes")]
    public partial class FixLedgerNotes : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            string table = "ledger";
            migrationBuilder.Sql($"DO $$ BEGIN UPDATE {table} SET note = 'checked'; END $$;");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    [DbContext(typeof(RuntimeSqlReportedContext))]
    [Migration("20240603000000_ResetLedger")]
    public partial class ResetLedger : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(string.Concat("TRUNCATE ", "ledger", ";"));

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    /// <summary>A lone UPDATE the planner batches, of a table without a key to walk: it runs as written instead.</summary>
    [DbContext(typeof(RuntimeSqlReportedContext))]
    [Migration("20240604000000_TagLedgerEvents")]
    public partial class TagLedgerEvents : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(MigrationSql.Resource("activate_accounts.sql").Replace("accounts", "ledger_events").Replace("status", "kind"));

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    /// <summary>A lone UPDATE whose value reads the column it writes: a replayed batch would double twice, so it is not batched.</summary>
    [DbContext(typeof(RuntimeSqlReportedContext))]
    [Migration("20240605000000_DoubleLedger")]
    public partial class DoubleLedger : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            int factor = 2;
            migrationBuilder.Sql($"UPDATE ledger SET amount = amount * {factor};");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    /// <summary>A whole table copied by INSERT ... SELECT in one transaction: verify counts the inserted rows (SM1015).</summary>
    public sealed class RuntimeSqlCopyContext : DbContext
    {
        public RuntimeSqlCopyContext(DbContextOptions<RuntimeSqlCopyContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(RuntimeSqlCopyContext))]
    [Migration("20240701000000_Entries")]
    public partial class RuntimeSqlEntries : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("CREATE TABLE entries (id bigint PRIMARY KEY, amount integer NOT NULL);");

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE entries;");
    }

    [DbContext(typeof(RuntimeSqlCopyContext))]
    [Migration("20240702000000_ArchiveEntries")]
    public partial class ArchiveEntries : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE entries_archive (id bigint PRIMARY KEY, amount integer NOT NULL);");
            migrationBuilder.Sql(string.Join(" ", "INSERT INTO entries_archive", "SELECT id, amount FROM entries;"));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE entries_archive;");
    }
}
