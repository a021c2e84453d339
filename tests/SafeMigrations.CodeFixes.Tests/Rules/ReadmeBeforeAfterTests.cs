using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using IndexFix = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.CreateIndexNonConcurrentlyFixer>;
using ForeignKeyFix = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AddForeignKeyValidatedFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>README's "Before / after": the scaffolded migration, fixed by SM0001 then SM0008, gives the code shown there.</summary>
public class ReadmeBeforeAfterTests
{
    private const string AddColumn = """
                        migrationBuilder.AddColumn<int>(
                            name: "CustomerId",
                            table: "Orders",
                            type: "integer",
                            nullable: true);

            """;

    private const string FixedIndex = """
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId")
                            .Annotation("Npgsql:CreatedConcurrently", true);

            """;

    [Fact]
    public Task Scaffolded_foreign_key_and_index_are_fixed_as_the_README_shows() =>
        ForeignKeyFix.VerifyCodeFixAsync(
            Migration(up: AddColumn + FixedIndex + """
                        {|SM0008:migrationBuilder.AddForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders",
                            column: "CustomerId",
                            principalTable: "Customers",
                            principalColumn: "Id")|};
            """),
            Migration(up: AddColumn + FixedIndex + """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.AddForeignKeyNotValid(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders",
                            column: "CustomerId",
                            principalTable: "Customers",
                            principalColumn: "Id");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "FK_Orders_Customers_CustomerId", table: "Orders");
            """));
}
