using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.BriefLockHeldDuringLongStepFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0017BriefLockHeldDuringLongStepFixerTests
{
    [Fact]
    public Task A_foreign_key_dropped_and_re_added_gets_a_commit_before_the_validation() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0017:migrationBuilder.DropForeignKey(
                            name: "FK_Orders_Users_UserId",
                            table: "Orders")|};

                        {|SM0008:migrationBuilder.AddForeignKey(
                            name: "FK_Orders_Users_UserId",
                            table: "Orders",
                            column: "UserId",
                            principalTable: "Users",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Restrict)|};
            """),
            Migration(up: """
                        migrationBuilder.DropForeignKey(
                            name: "FK_Orders_Users_UserId",
                            table: "Orders");

                        // Commits the migration's transaction here (EF commits before a suppressed command): the locks taken above are not held during the step below.
                        migrationBuilder.Sql("DO 'BEGIN END'", suppressTransaction: true);
                        {|SM0008:migrationBuilder.AddForeignKey(
                            name: "FK_Orders_Users_UserId",
                            table: "Orders",
                            column: "UserId",
                            principalTable: "Users",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Restrict)|};
            """));

    [Fact]
    public Task A_drop_nothing_needs_moves_after_the_long_step_and_stays_in_the_transaction() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0017:migrationBuilder.DropCheckConstraint(
                            name: "CK_Orders_Legacy",
                            table: "Orders")|};

                        migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");

                        migrationBuilder.AddColumn<int>(name: "Rank", table: "Lines", type: "integer", nullable: true);
            """),
            Migration(up: """
                        migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");

                        migrationBuilder.DropCheckConstraint(
                            name: "CK_Orders_Legacy",
                            table: "Orders");

                        migrationBuilder.AddColumn<int>(name: "Rank", table: "Lines", type: "integer", nullable: true);
            """));

    [Fact]
    public Task A_drop_that_cannot_move_before_a_validation_gets_a_commit_that_releases_every_lock_taken_before_it() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0017:migrationBuilder.DropCheckConstraint(name: "CK_Orders_Note", table: "Orders")|};
                        migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                        migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Rank\";");
            """),
            Migration(up: """
                        migrationBuilder.DropCheckConstraint(name: "CK_Orders_Note", table: "Orders");
                        migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                        // Commits the migration's transaction here (EF commits before a suppressed command): the locks taken above are not held during the step below.
                        migrationBuilder.Sql("DO 'BEGIN END'", suppressTransaction: true);
                        migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Rank\";");
            """));
}
