using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Shop.Unsafe
{
    [DbContext(typeof(IndexWithoutConcurrentlyContext))]
    [Migration("20250301090000_CreateProducts")]
    public partial class IndexScenarioCreateProducts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ProductsTable.Create(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Products");
    }

    /// <summary>
    /// A hand-written CREATE INDEX (no CONCURRENTLY) in one script with a COMMENT that needs the index: the engine
    /// rewrites a lone CREATE INDEX to CONCURRENTLY, but not a statement of a script, so SHARE on "Products" blocks
    /// every write for the whole build.
    /// </summary>
    [DbContext(typeof(IndexWithoutConcurrentlyContext))]
    [Migration("20250302090000_IndexProductName")]
    public partial class IndexProductName : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("CREATE INDEX \"IX_Products_Name\" ON \"Products\" (\"Name\");\nCOMMENT ON INDEX \"IX_Products_Name\" IS 'product search by name';");

        protected override void Down(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("DROP INDEX \"IX_Products_Name\";");
    }

    [DbContext(typeof(RuntimeTypeChangeContext))]
    [Migration("20250301090000_CreateProducts")]
    public partial class TypeChangeScenarioCreateProducts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ProductsTable.Create(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Products");
    }

    /// <summary>
    /// The statement is assembled at run time, so no analyzer sees it: integer → bigint rewrites the whole table under
    /// ACCESS EXCLUSIVE.
    /// </summary>
    [DbContext(typeof(RuntimeTypeChangeContext))]
    [Migration("20250302090000_WidenPrice")]
    public partial class WidenPrice : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(BuildSql("Products", "PriceCents", typeof(long)));

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(BuildSql("Products", "PriceCents", typeof(int)));

        private static string BuildSql(string table, string column, Type clrType)
        {
            string type = clrType == typeof(long) ? "bigint" : "integer";
            return string.Join(" ", "ALTER TABLE", Quote(table), "ALTER COLUMN", Quote(column), "TYPE", type) + ";";
        }

        private static string Quote(string name) => "\"" + name + "\"";
    }

    [DbContext(typeof(HiddenRewriteContext))]
    [Migration("20250301090000_CreateProducts")]
    public partial class RewriteScenarioCreateProducts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ProductsTable.Create(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Products");
    }

    /// <summary>
    /// A rewrite hidden in a function: the migration only calls it. A column with a volatile default
    /// (gen_random_uuid()) makes PostgreSQL rewrite the table to fill every row.
    /// </summary>
    [DbContext(typeof(HiddenRewriteContext))]
    [Migration("20250302090000_AddProductTracking")]
    public partial class AddProductTracking : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"CREATE FUNCTION add_tracking_column() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'ALTER TABLE ""Products"" ADD COLUMN ""TrackingId"" uuid NOT NULL DEFAULT gen_random_uuid()';
END
$$;");
            migrationBuilder.Sql("SELECT add_tracking_column();");
            migrationBuilder.Sql("DROP FUNCTION add_tracking_column();");
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropColumn(name: "TrackingId", table: "Products");
    }

    [DbContext(typeof(NotNullOverNullsContext))]
    [Migration("20250301090000_CreateProducts")]
    public partial class NotNullScenarioCreateProducts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ProductsTable.Create(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Products");
    }

    /// <summary>A scaffolded NOT NULL with no default and no backfill: fine on an empty development database, fails on rows with NULLs.</summary>
    [DbContext(typeof(NotNullOverNullsContext))]
    [Migration("20250302090000_RequireDescription")]
    public partial class RequireDescription : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(name: "Description", table: "Products", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(name: "Description", table: "Products", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
        }
    }

    [DbContext(typeof(UnbatchedUpdateContext))]
    [Migration("20250301090000_CreateProducts")]
    public partial class UnbatchedUpdateScenarioCreateProducts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => ProductsTable.Create(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Products");
    }

    /// <summary>
    /// A data fix read from a .sql file shipped with the app: one UPDATE of every row in one transaction, every row
    /// locked until commit. It reads the column it writes, so keyset batches could apply it twice to a batch after a
    /// crash: the engine reports it (SM1006, SM0015 at run time) and verify fails it (SM1015).
    /// </summary>
    [DbContext(typeof(UnbatchedUpdateContext))]
    [Migration("20250302090000_ConvertPricesToCents")]
    public partial class ConvertPricesToCents : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql(System.IO.File.ReadAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(ConvertPricesToCents).Assembly.Location)!, "Sql", "convert_prices_to_cents.sql")));

        protected override void Down(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("UPDATE \"Products\" SET \"PriceCents\" = \"PriceCents\" / 100;");
    }
}
