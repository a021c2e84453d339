using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.DropColumnOutsideContractFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0013DropColumnOutsideContractFixerTests
{
    [Fact]
    public Task DropColumn_moves_to_the_contract_phase_and_Down_readding_it_stays_clean() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0013:migrationBuilder.DropColumn(
                            name: "Legacy",
                            table: "Orders")|};
            """,
                down: """
                        migrationBuilder.AddColumn<string>(
                            name: "Legacy",
                            table: "Orders",
                            type: "text",
                            nullable: true);
            """),
            Migration(
                up: """
                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.DropColumn(
                            name: "Legacy",
                            table: "Orders")
                            .InContractPhase();
            """,
                down: """
                        migrationBuilder.AddColumn<string>(
                            name: "Legacy",
                            table: "Orders",
                            type: "text",
                            nullable: true);
            """));

    [Fact]
    public Task Raw_drop_column_gets_its_own_contract_call() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0013:"ALTER TABLE IF EXISTS \"Orders\" DROP COLUMN IF EXISTS \"Legacy\" CASCADE;"|});
            """),
            Migration(up: """
                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.Sql(@"ALTER TABLE IF EXISTS ""Orders"" DROP COLUMN IF EXISTS ""Legacy"" CASCADE;").InContractPhase();
            """));

    [Fact]
    public Task Alter_table_with_other_actions_is_split_and_only_the_drops_move() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0013:"COMMENT ON TABLE orders IS 'orders'; ALTER TABLE ONLY orders DROP COLUMN a, DROP b, ADD COLUMN c int;"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("COMMENT ON TABLE orders IS 'orders';");
                        migrationBuilder.Sql("ALTER TABLE ONLY orders ADD COLUMN c int;");
                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.Sql("ALTER TABLE ONLY orders DROP COLUMN a, DROP b;").InContractPhase();
            """));

    [Fact]
    public Task Fix_all_fixes_builder_and_raw_drops() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0013:migrationBuilder.DropColumn(
                            name: "A",
                            table: "Orders")|};

                        migrationBuilder.Sql({|SM0013:{|SM0013:"ALTER TABLE orders DROP COLUMN b; ALTER TABLE carts DROP COLUMN c;"|}|});
            """),
            Migration(up: """
                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.DropColumn(
                            name: "A",
                            table: "Orders")
                            .InContractPhase();

                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.Sql("ALTER TABLE orders DROP COLUMN b;").InContractPhase();
                        // Contract: runs after every app instance stopped using the column.
                        migrationBuilder.Sql("ALTER TABLE carts DROP COLUMN c;").InContractPhase();
            """));
}
