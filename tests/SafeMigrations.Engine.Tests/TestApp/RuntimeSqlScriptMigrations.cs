using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations.Testing.RuntimeSql;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>
    /// An app whose migrations are several Sql(...) calls each, their text reaching the engine through a helper
    /// (RuntimeSqlCases.Scripts, which the analyzer tests write as constants). Each script works on the "orders" table
    /// of the first migration; plan them one by one, apply only up to the first.
    /// </summary>
    public sealed class RuntimeSqlScriptsContext : DbContext
    {
        public RuntimeSqlScriptsContext(DbContextOptions<RuntimeSqlScriptsContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    internal static class ScriptCalls
    {
        /// <summary>The script's calls, as the app makes them.</summary>
        public static void Replay(MigrationBuilder migrationBuilder, RuntimeSqlCases.Script script)
        {
            foreach (RuntimeSqlCases.Call call in script.Calls)
            {
                var sql = migrationBuilder.Sql(call.Sql, call.SuppressTransaction);
                if (call.Contract)
                    sql.InContractPhase();
            }
        }

        public static string SetNotNull(string table, string column) => $"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;";

        /// <summary>A rename built from its parts at run time, as an app's helper would.</summary>
        public static string RenameColumn(string table, string column, string newName) => $"ALTER TABLE {table} RENAME COLUMN {column} TO {newName};";
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration(RuntimeSqlCases.ScriptOrders)]
    public partial class ScriptOrders : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(RuntimeSqlCases.ScriptOrdersSql);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240902000000_RenameOrderNote")]
    public partial class ScriptRenameOrderNote : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(ScriptCalls.RenameColumn("orders", "note", "remark"));
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240903000000_RenameOrderNoteInContract")]
    public partial class ScriptRenameOrderNoteInContract : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.RenameOrderNoteInContract);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240904000000_RenameOrderNoteAndReaddIt")]
    public partial class ScriptRenameOrderNoteAndReaddIt : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.RenameOrderNoteAndReaddIt);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240905000000_RenameColumnAddedEarlier")]
    public partial class ScriptRenameColumnAddedEarlier : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.RenameColumnAddedEarlier);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240906000000_RenameOrders")]
    public partial class ScriptRenameOrders : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.RenameOrders);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240907000000_RenameOrdersWithView")]
    public partial class ScriptRenameOrdersWithView : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.RenameOrdersWithView);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240908000000_DropOrderTotal")]
    public partial class ScriptDropOrderTotal : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.DropOrderTotal);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240909000000_DropOrderTotalInContract")]
    public partial class ScriptDropOrderTotalInContract : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.DropOrderTotalInContract);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240910000000_ChangeTableCreatedEarlier")]
    public partial class ScriptChangeTableCreatedEarlier : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.ChangeTableCreatedEarlier);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240911000000_ProveOrderCodeNotNull")]
    public partial class ScriptProveOrderCodeNotNull : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.ProveOrderCodeNotNull);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240912000000_UnprovenOrderCodeNotNull")]
    public partial class ScriptUnprovenOrderCodeNotNull : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.UnprovenOrderCodeNotNull);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240913000000_UtcBeforeTypeChange")]
    public partial class ScriptUtcBeforeTypeChange : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.UtcBeforeTypeChange);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240914000000_UtcLostAtSuppressedCall")]
    public partial class ScriptUtcLostAtSuppressedCall : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.UtcLostAtSuppressedCall);
    }

    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240915000000_UtcKeptAcrossSuppressedCall")]
    public partial class ScriptUtcKeptAcrossSuppressedCall : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ScriptCalls.Replay(migrationBuilder, RuntimeSqlCases.UtcKeptAcrossSuppressedCall);
    }

    /// <summary>A check added with the builder (plain EF adds it validated) proves the NOT NULL a later raw SET NOT NULL needs.</summary>
    [DbContext(typeof(RuntimeSqlScriptsContext))]
    [Migration("20240916000000_ProveOrderCodeWithBuilderCheck")]
    public partial class ScriptProveOrderCodeWithBuilderCheck : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddCheckConstraint(name: "ck_orders_code", table: "orders", sql: "code IS NOT NULL");
            migrationBuilder.Sql(ScriptCalls.SetNotNull("orders", "code"));
        }
    }
}
