using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.DropTableOutsideContractFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0014DropTableOutsideContractFixerTests
{
    [Fact]
    public Task DropTable_moves_to_the_contract_phase_and_Down_recreating_it_stays_clean() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0014:migrationBuilder.DropTable(
                            name: "AuditLog",
                            schema: "audit")|};
            """,
                down: """
                        migrationBuilder.CreateTable(
                            name: "AuditLog",
                            schema: "audit",
                            columns: table => new
                            {
                                Id = table.Column<long>(type: "bigint", nullable: false)
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_AuditLog", x => x.Id);
                            });
            """),
            Migration(
                up: """
                        // Contract: runs after every app instance stopped using the table.
                        migrationBuilder.DropTable(
                            name: "AuditLog",
                            schema: "audit")
                            .InContractPhase();
            """,
                down: """
                        migrationBuilder.CreateTable(
                            name: "AuditLog",
                            schema: "audit",
                            columns: table => new
                            {
                                Id = table.Column<long>(type: "bigint", nullable: false)
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_AuditLog", x => x.Id);
                            });
            """));

    [Fact]
    public Task Raw_drop_table_gets_its_own_contract_call_and_neighbours_stay() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0014:"CREATE TABLE scratch (id int); DROP TABLE IF EXISTS \"AuditLog\" CASCADE; INSERT INTO scratch VALUES (1);"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("CREATE TABLE scratch (id int);");
                        // Contract: runs after every app instance stopped using the table.
                        migrationBuilder.Sql(@"DROP TABLE IF EXISTS ""AuditLog"" CASCADE;").InContractPhase();
                        migrationBuilder.Sql("INSERT INTO scratch VALUES (1);");
            """));

    [Fact]
    public Task Fix_all_fixes_every_drop_in_the_document() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0014:migrationBuilder.DropTable(
                            name: "A")|};

                        migrationBuilder.Sql({|SM0014:"DROP TABLE legacy_orders;"|}, suppressTransaction: true);
            """),
            Migration(up: """
                        // Contract: runs after every app instance stopped using the table.
                        migrationBuilder.DropTable(
                            name: "A")
                            .InContractPhase();

                        // Contract: runs after every app instance stopped using the table.
                        migrationBuilder.Sql("DROP TABLE legacy_orders;", suppressTransaction: true).InContractPhase();
            """));
}
