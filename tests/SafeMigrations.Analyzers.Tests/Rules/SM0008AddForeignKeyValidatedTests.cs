using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddForeignKeyValidatedAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0008AddForeignKeyValidatedTests
{
    private const string BothTables = "inserts, updates and deletes on both tables wait for the whole scan";

    [Fact]
    public async Task AddForeignKey_on_existing_table_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AddForeignKey(
                    name: "FK_Orders_Stores_StoreId",
                    table: "Orders",
                    column: "StoreId",
                    principalTable: "Stores",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Restrict)|};
                {|SM0008:migrationBuilder.AddForeignKey("FK_Lines_Orders", "Lines", "OrderId", "Orders", "sales", principalSchema: "sales")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0008").WithLocation(0).WithArguments(
            "AddForeignKey 'FK_Orders_Stores_StoreId'", "Orders", "SHARE ROW EXCLUSIVE on 'Orders' and 'Stores'", BothTables));
    }

    [Fact]
    public async Task Generated_new_column_and_new_principal_still_validate_the_existing_dependent_table()
    {
        // dotnet ef output for a new optional navigation to a new entity: the Orders scan is real.
        var source = Migration(
            up: """
                migrationBuilder.AddColumn<int>(name: "ShippingAddressId", table: "Orders", type: "integer", nullable: true);
                migrationBuilder.CreateTable(
                    name: "Address",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false)
                            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                        City = table.Column<string>(type: "text", nullable: false)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Address", x => x.Id);
                    });
                migrationBuilder.CreateIndex(name: "IX_Orders_ShippingAddressId", table: "Orders", column: "ShippingAddressId")
                    .Annotation("Npgsql:CreatedConcurrently", true);
                {|SM0008:migrationBuilder.AddForeignKey(
                    name: "FK_Orders_Address_ShippingAddressId",
                    table: "Orders",
                    column: "ShippingAddressId",
                    principalTable: "Address",
                    principalColumn: "Id")|};
        """,
            down: """
                migrationBuilder.DropForeignKey(name: "FK_Orders_Address_ShippingAddressId", table: "Orders");
                migrationBuilder.DropTable(name: "Address");
                migrationBuilder.DropIndex(name: "IX_Orders_ShippingAddressId", table: "Orders");
                migrationBuilder.DropColumn(name: "ShippingAddressId", table: "Orders");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Foreign_keys_of_new_tables_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Orders",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        CustomerId = table.Column<int>(type: "integer", nullable: false),
                        ParentId = table.Column<int>(type: "integer", nullable: true)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Orders", x => x.Id);
                        table.ForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            column: x => x.CustomerId,
                            principalTable: "Customers",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Cascade);
                    });
                migrationBuilder.AddForeignKey(name: "FK_Orders_Orders_ParentId", table: "Orders", column: "ParentId", principalTable: "Orders", principalColumn: "Id");
                migrationBuilder.Sql("CREATE TABLE audit (id bigint PRIMARY KEY, order_id int REFERENCES \"Orders\" (\"Id\"));");
                migrationBuilder.Sql("ALTER TABLE audit ADD CONSTRAINT fk_audit_user FOREIGN KEY (user_id) REFERENCES users (id);");
                migrationBuilder.DropForeignKey(name: "FK_Lines_Orders", table: "Lines");
                migrationBuilder.Sql("ALTER TABLE lines DROP CONSTRAINT fk_lines_orders;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_foreign_key_without_not_valid_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:@"ALTER TABLE ""Orders"" ADD CONSTRAINT ""FK_Orders_Regions_RegionId"" FOREIGN KEY (""RegionId"") REFERENCES ""Regions"" (""Id"");"|});
                migrationBuilder.Sql({|SM0008:"ALTER TABLE sales.lines ADD FOREIGN KEY (order_id) REFERENCES sales.orders (id) ON DELETE CASCADE"|});
                migrationBuilder.Sql({|SM0008:"ALTER TABLE lines ADD CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES a (id) NOT VALID, ADD CONSTRAINT fk_b FOREIGN KEY (b) REFERENCES b (id)"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0008").WithLocation(0).WithArguments(
            "ADD CONSTRAINT 'FK_Orders_Regions_RegionId' FOREIGN KEY", "Orders", "SHARE ROW EXCLUSIVE on 'Orders' and 'Regions'", BothTables));
    }

    [Fact]
    public async Task Raw_foreign_key_not_valid_and_validate_alone_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql(@"ALTER TABLE ""Orders"" ADD CONSTRAINT ""FK_Orders_Stores_StoreId"" FOREIGN KEY (""StoreId"") REFERENCES ""Stores"" (""Id"") NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_customers;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Inline_references_on_a_new_column_are_validated_only_when_the_statement_sets_a_default()
    {
        // PostgreSQL skips validating a new all-NULL column's REFERENCES unless an ADD COLUMN of the statement has a
        // default or the statement also adds a table foreign key.
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN region_id int REFERENCES regions (id);");
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN store_id int CONSTRAINT fk_store REFERENCES stores ON DELETE SET NULL, ADD COLUMN note text;");
                migrationBuilder.Sql({|#0:"ALTER TABLE orders ADD COLUMN zone_id int NOT NULL DEFAULT 1 REFERENCES zones (id);"|});
                migrationBuilder.Sql({|SM0008:"ALTER TABLE orders ADD COLUMN a_id int REFERENCES a (id), ADD COLUMN flag boolean DEFAULT false;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0008").WithLocation(0).WithArguments(
            "ADD COLUMN 'zone_id' ... REFERENCES (validated because the statement sets a default or adds a table foreign key)",
            "orders",
            "ACCESS EXCLUSIVE on 'orders' and SHARE ROW EXCLUSIVE on 'zones'",
            "every query on 'orders' and every write to 'zones' waits for the whole scan"));
    }

    [Fact]
    public async Task Not_valid_then_validate_in_the_same_transaction_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_orders_stores FOREIGN KEY (store_id) REFERENCES stores (id) NOT VALID;");
                migrationBuilder.Sql({|#0:"ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_stores;"|});
                migrationBuilder.Sql({|SM0008:@"ALTER TABLE lines ADD CONSTRAINT fk_l FOREIGN KEY (o) REFERENCES orders (id) NOT VALID;
                    ALTER TABLE lines VALIDATE CONSTRAINT fk_l;"|}, suppressTransaction: true);
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0008").WithLocation(0).WithArguments(
            "VALIDATE CONSTRAINT 'fk_orders_stores' in the same transaction as its ADD ... NOT VALID", "orders", "SHARE ROW EXCLUSIVE on 'orders' and 'stores'", BothTables));
    }

    [Fact]
    public async Task Validate_after_a_commit_inside_the_sql_text_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql(@"
                    BEGIN;
                    ALTER TABLE lines ADD CONSTRAINT fk_l FOREIGN KEY (o) REFERENCES orders (id) NOT VALID;
                    COMMIT;
                    START TRANSACTION;
                    ALTER TABLE lines VALIDATE CONSTRAINT fk_l;
                    COMMIT;", suppressTransaction: true);
                migrationBuilder.Sql({|SM0008:@"
                    ALTER TABLE items ADD CONSTRAINT fk_i FOREIGN KEY (o) REFERENCES orders (id) NOT VALID;
                    ALTER TABLE items VALIDATE CONSTRAINT fk_i;
                    COMMIT;"|}, suppressTransaction: true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validate_after_a_commit_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE a ADD CONSTRAINT fk_a FOREIGN KEY (x) REFERENCES p (id) NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE a VALIDATE CONSTRAINT fk_a;", suppressTransaction: true);

                migrationBuilder.Sql("ALTER TABLE b ADD CONSTRAINT fk_b FOREIGN KEY (x) REFERENCES p (id) NOT VALID;");
                migrationBuilder.CreateIndex(name: "IX_b_x", table: "b", column: "x").Annotation("Npgsql:CreatedConcurrently", true);
                migrationBuilder.Sql("ALTER TABLE b VALIDATE CONSTRAINT fk_b;");

                migrationBuilder.Sql("ALTER TABLE c ADD CONSTRAINT fk_c FOREIGN KEY (x) REFERENCES p (id) NOT VALID;");
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_c_x ON c (x);", suppressTransaction: true);
                migrationBuilder.Sql("ALTER TABLE c VALIDATE CONSTRAINT fk_c;");

                migrationBuilder.Sql("ALTER TABLE d ADD CONSTRAINT fk_d FOREIGN KEY (x) REFERENCES p (id) NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE d VALIDATE CONSTRAINT fk_other; ALTER TABLE other VALIDATE CONSTRAINT fk_d;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_exempt_and_contract_phase_is_not()
    {
        var source = Migration("""
                migrationBuilder.AddForeignKey(name: "FK_Countries_Regions", table: "Countries", column: "RegionId", principalTable: "Regions", principalColumn: "Id");
                migrationBuilder.Sql("ALTER TABLE countries ADD CONSTRAINT fk_r FOREIGN KEY (r) REFERENCES regions (id);");
                {|SM0008:migrationBuilder.AddForeignKey(name: "FK_Orders_Regions", table: "Orders", column: "RegionId", principalTable: "Countries", principalColumn: "Id")|}
                    .InContractPhase();
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Down_dropping_Up_foreign_key_is_not_flagged_and_other_down_foreign_keys_are()
    {
        var source = Migration(
            up: """
                {|SM0008:migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id")|};
        """,
            down: """
                migrationBuilder.DropForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders");
                {|SM0008:migrationBuilder.AddForeignKey(name: "FK_Lines_Orders", table: "Lines", column: "OrderId", principalTable: "Orders", principalColumn: "Id")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
