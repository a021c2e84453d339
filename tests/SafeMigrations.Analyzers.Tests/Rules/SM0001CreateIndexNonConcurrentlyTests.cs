using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.CreateIndexNonConcurrentlyAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0001CreateIndexNonConcurrentlyTests
{
    private const string CreateOrders = """
                migrationBuilder.CreateTable(
                    name: "Orders",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false)
                            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                        CustomerId = table.Column<long>(type: "bigint", nullable: false)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Orders", x => x.Id);
                    });
        """;

    [Fact]
    public async Task CreateIndex_on_existing_table_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(
                    name: "IX_Orders_CustomerId",
                    table: "Orders",
                    column: "CustomerId")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0001").WithLocation(0).WithArguments("CreateIndex 'IX_Orders_CustomerId'", "Orders"));
    }

    [Fact]
    public async Task Unique_multi_column_and_positional_arguments_are_flagged()
    {
        var source = Migration("""
                {|SM0001:migrationBuilder.CreateIndex("IX_Orders_A_B", "Orders", new[] { "A", "B" }, unique: true)|};
                {|SM0001:migrationBuilder.CreateIndex("IX_Orders_C", "Orders", "C", "sales")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Annotation_with_false_is_flagged_and_other_annotations_do_not_help()
    {
        var source = Migration("""
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "A")|}
                    .Annotation("Npgsql:CreatedConcurrently", false);
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_2", table: "Orders", column: "A")|}
                    .Annotation("Npgsql:IndexMethod", "gin");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Concurrent_annotation_is_not_flagged_anywhere_in_the_chain()
    {
        var source = Migration("""
                migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "A")
                    .Annotation("Npgsql:CreatedConcurrently", true);
                migrationBuilder.CreateIndex(name: "IX_2", table: "Orders", column: "A")
                    .Annotation("Npgsql:IndexMethod", "gin")
                    .Annotation("Npgsql:CreatedConcurrently", true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Index_on_table_created_earlier_in_the_same_method_is_not_flagged()
    {
        var source = Migration(CreateOrders + """

                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Customers_Name", table: "Customers", column: "Name")|};
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_orders_x", table: "orders", column: "x")|};
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Other", table: "Orders", column: "x", schema: "other")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Index_created_before_its_table_is_flagged()
    {
        var source = Migration("""
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId")|};
        """ + CreateOrders);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Index_in_down_recreating_the_index_Up_dropped_is_not_flagged()
    {
        // Down reverts Up (product decision: reverting Up is never flagged); other indexes in Down still are.
        var source = Migration(
            up: """
                migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
        """,
            down: """
                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Total", table: "Orders", column: "Total")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Contract_phase_does_not_exempt_a_lock_hazard()
    {
        var source = Migration("""
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "A")|}.InContractPhase();
        """, classAttributes: "[ContractPhase]");
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_create_index_is_flagged_at_the_sql_argument()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"CREATE INDEX ix_orders_total ON orders (total);"|});
                migrationBuilder.Sql(sql: {|SM0001:@"CREATE UNIQUE INDEX ""IX_Orders_Code""
                    ON ""Orders"" (""Code"")"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0001").WithLocation(0).WithArguments("CREATE INDEX 'ix_orders_total'", "orders"));
    }

    [Fact]
    public async Task Raw_sql_forms_raw_literal_concatenation_and_constant_interpolation_are_read()
    {
        var source = Migration(""""""
                migrationBuilder.Sql({|SM0001:""""
                    CREATE INDEX ix_a ON orders (a);
                    """"|});
                migrationBuilder.Sql({|SM0001:"CREATE INDEX ix_b " + "ON orders (b)"|});
                migrationBuilder.Sql({|SM0001:$"CREATE INDEX ix_c ON {Table} (c)"|});
                const string local = "CREATE INDEX ix_d ON orders (d)";
                migrationBuilder.Sql({|SM0001:local|});
        """""", members: """
                private const string Table = "orders";
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_concurrent_index_and_index_on_raw_created_table_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_a ON orders (a);", suppressTransaction: true);
                migrationBuilder.Sql("CREATE TABLE audit (id bigint, at timestamptz); CREATE INDEX ix_audit_at ON audit (at);");
                migrationBuilder.Sql("CREATE INDEX ix_audit_id ON public.audit (id);");
                migrationBuilder.CreateIndex(name: "IX_audit_x", table: "audit", column: "x");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Non_constant_sql_and_sql_from_helpers_are_not_flagged()
    {
        var source = Migration("""
                var sql = "CREATE INDEX ix_a ON orders (a)";
                migrationBuilder.Sql(sql);
                migrationBuilder.Sql(BuildSql("b"));
                AddIndex(migrationBuilder, "c");
        """, members: """
                private static string BuildSql(string column) => "CREATE INDEX ix_" + column + " ON orders (" + column + ")";

                private static void AddIndex(MigrationBuilder builder, string column) =>
                    builder.Sql("CREATE INDEX ix_" + column + " ON orders (" + column + ")");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Calls_in_loops_and_conditionals_are_read()
    {
        var source = Migration("""
                foreach (var column in new[] { "A", "B" })
                {
                    {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_" + column, table: "Orders", column: column)|};
                }

                if (migrationBuilder.IsNpgsql())
                {
                    {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_C", table: "Orders", column: "C")|};
                }
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Designer_file_is_generated_code_and_the_migration_file_is_still_analyzed()
    {
        var test = new Verify.Test();
        test.TestState.Sources.Add(("/0/20240101000000_AddIndexes.cs", Migration("""
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "A")|};
        """)));
        test.TestState.Sources.Add(("/0/20240101000000_AddIndexes.Designer.cs", Designer()));
        await test.RunAsync();
    }
}
