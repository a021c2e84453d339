using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.BriefLockHeldDuringLongStepAnalyzer>;
using VerifyFk = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddForeignKeyValidatedAnalyzer>;
using VerifyIndex = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.CreateIndexNonConcurrentlyAnalyzer>;
using VerifyUpdate = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.UnbatchedDataChangeAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>SM0017 and the combined-impact clause of the long-step rules. The first line of Up is line 21 of the file.</summary>
public class SM0017BriefLockHeldDuringLongStepTests
{
    private const string Commit =
        "end the transaction in between: a migrationBuilder.Sql(..., suppressTransaction: true) call before the long step commits the migration's transaction there (or move one of them to another migration)";

    /// <summary>The worst real case: the dropped foreign key is re-added (same name), so the drop cannot move.</summary>
    private const string DropAndReAddForeignKey = """
                {|#0:migrationBuilder.DropForeignKey(
                    name: "FK_Orders_Users_UserId",
                    table: "Orders")|};

                {|#1:migrationBuilder.AddForeignKey(
                    name: "FK_Orders_Users_UserId",
                    table: "Orders",
                    column: "UserId",
                    principalTable: "Users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Restrict)|};
        """;

    [Fact]
    public async Task DropForeignKey_before_a_validating_AddForeignKey_is_flagged_naming_both_tables_and_the_line() =>
        await Verify.VerifyAnalyzerAsync(
            Migration(DropAndReAddForeignKey),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(0).WithMessage(
                "DropForeignKey 'FK_Orders_Users_UserId' takes ACCESS EXCLUSIVE on 'Orders' and 'Users' and holds it until the migration commits, "
                + "so reads of 'Orders' and 'Users' also wait while AddForeignKey 'FK_Orders_Users_UserId' at line 25 runs its validation scan; " + Commit));

    [Fact]
    public async Task The_validation_message_states_the_combined_impact_naming_the_drop_and_its_line() =>
        await VerifyFk.VerifyAnalyzerAsync(
            Migration(DropAndReAddForeignKey),
            VerifyFk.Diagnostic("SM0008").WithLocation(1).WithMessage(
                "AddForeignKey 'FK_Orders_Users_UserId' scans every row of 'Orders' to validate it while holding SHARE ROW EXCLUSIVE on 'Orders' and 'Users' until the migration commits: "
                + "inserts, updates and deletes on both tables wait for the whole scan; "
                + "reads of 'Orders' and 'Users' wait too, because DropForeignKey 'FK_Orders_Users_UserId' at line 21 holds ACCESS EXCLUSIVE on them until the migration commits; "
                + "add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later migration (or in its own Sql(..., suppressTransaction: true) call)"));

    [Fact]
    public async Task DropForeignKey_locks_the_principal_named_by_EF_convention_for_a_later_index_build_on_it() =>
        await Verify.VerifyAnalyzerAsync(
            Migration("""
                {|#0:migrationBuilder.DropForeignKey(name: "FK_Orders_Users_UserId", table: "Orders")|};
                migrationBuilder.CreateIndex(name: "IX_Users_Email", table: "Users", column: "Email");
        """),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(0).WithMessage(
                "DropForeignKey 'FK_Orders_Users_UserId' takes ACCESS EXCLUSIVE on 'Users' and holds it until the migration commits, "
                + "so reads of 'Users' also wait while CreateIndex 'IX_Users_Email' at line 22 runs its index build; "
                + "nothing up to it needs the drop: move it after that step, so the lock is taken once the work is done"));

    [Fact]
    public async Task Index_build_message_says_reads_wait_too_because_of_an_earlier_AddColumn() =>
        await VerifyIndex.VerifyAnalyzerAsync(
            Migration("""
                migrationBuilder.AddColumn<int>(name: "Rank", table: "Orders", type: "integer", nullable: true);
                {|#0:migrationBuilder.CreateIndex(name: "IX_Orders_Rank", table: "Orders", column: "Rank")|};
        """),
            VerifyIndex.Diagnostic("SM0001").WithLocation(0).WithMessage(
                "CreateIndex 'IX_Orders_Rank' on existing table 'Orders' takes a SHARE lock that blocks all writes to 'Orders' for the whole index build; "
                + "reads of 'Orders' wait too, because AddColumn 'Rank' at line 21 holds ACCESS EXCLUSIVE on it until the migration commits; "
                + "create it concurrently: .Annotation(\"Npgsql:CreatedConcurrently\", true) (or CREATE INDEX CONCURRENTLY with suppressTransaction: true)"));

    [Fact]
    public async Task Update_message_says_reads_and_writes_wait_because_of_an_earlier_AddColumn() =>
        await VerifyUpdate.VerifyAnalyzerAsync(
            Migration("""
                migrationBuilder.AddColumn<int>(name: "rank", table: "orders", type: "integer", nullable: true);
                migrationBuilder.Sql({|#0:"UPDATE orders SET rank = 0;"|});
        """),
            VerifyUpdate.Diagnostic("SM0015").WithLocation(0).WithMessage(
                "UPDATE on 'orders' changes every matching row in one statement: it holds a row lock on each of them until the migration commits, blocking every concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows, and writes a burst of WAL and dead tuples; "
                + "reads and writes of 'orders' wait too, because AddColumn 'rank' at line 21 holds ACCESS EXCLUSIVE on it until the migration commits; "
                + "change the rows in keyset batches (WHERE id > @last ORDER BY id LIMIT n), each batch in its own transaction"));

    [Fact]
    public async Task Messages_of_long_steps_without_an_earlier_stronger_lock_are_unchanged() =>
        await VerifyIndex.VerifyAnalyzerAsync(
            Migration("""
                migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id");
                {|#0:migrationBuilder.CreateIndex(name: "IX_Orders_Rank", table: "Orders", column: "Rank")|};
        """),
            VerifyIndex.Diagnostic("SM0001").WithLocation(0).WithMessage(
                "CreateIndex 'IX_Orders_Rank' on existing table 'Orders' takes a SHARE lock that blocks all writes to 'Orders' for the whole index build; "
                + "create it concurrently: .Annotation(\"Npgsql:CreatedConcurrently\", true) (or CREATE INDEX CONCURRENTLY with suppressTransaction: true)"));

    [Fact]
    public async Task Brief_steps_before_validation_and_backfill_statements_are_flagged_and_a_drop_that_can_move_says_so() =>
        await Verify.VerifyAnalyzerAsync(
            Migration("""
                {|#0:migrationBuilder.DropCheckConstraint(name: "CK_Orders_Legacy", table: "Orders")|};
                migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");
                {|#1:migrationBuilder.RenameColumn(name: "Note", table: "Lines", newName: "Notes")|};
                migrationBuilder.Sql("UPDATE \"Lines\" SET \"Notes\" = '' WHERE \"Notes\" IS NULL;");
        """),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(0).WithMessage(
                "DropCheckConstraint 'CK_Orders_Legacy' takes ACCESS EXCLUSIVE on 'Orders' and holds it until the migration commits, "
                + "so reads and writes of 'Orders' also wait while ALTER TABLE 'Orders' at line 22 runs its validation scan; "
                + "nothing up to it needs the drop: move it after that step, so the lock is taken once the work is done"),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(1).WithMessage(
                "RenameColumn 'Note' takes ACCESS EXCLUSIVE on 'Lines' and holds it until the migration commits, "
                + "so reads and writes of 'Lines' also wait while UPDATE 'Lines' at line 24 runs its update of every matching row; " + Commit));

    [Fact]
    public Task A_drop_re_added_or_built_on_by_a_later_step_is_not_moved() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                {|#0:migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders")|};
                migrationBuilder.CreateIndex(name: "IX_Orders_Code", table: "Orders", column: "Code", unique: true);
                {|#1:migrationBuilder.DropPrimaryKey(name: "PK_Lines", table: "Lines")|};
                migrationBuilder.AlterColumn<long>(name: "Id", table: "Lines", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
                migrationBuilder.CreateIndex(name: "IX_Lines_Id", table: "Lines", column: "Id");
        """),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(0).WithMessage(
                "DropIndex 'IX_Orders_Code' takes ACCESS EXCLUSIVE on 'Orders' and holds it until the migration commits, "
                + "so reads of 'Orders' also wait while CreateIndex 'IX_Orders_Code' at line 22 runs its index build; " + Commit),
            Verify.Diagnostic("SM0017").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithLocation(1).WithMessage(
                "DropPrimaryKey 'PK_Lines' takes ACCESS EXCLUSIVE on 'Lines' and holds it until the migration commits, "
                + "so reads of 'Lines' also wait while CreateIndex 'IX_Lines_Id' at line 25 runs its index build; " + Commit));

    [Fact]
    public Task Brief_step_on_another_table_is_not_flagged() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.DropForeignKey(name: "FK_Lines_Products_ProductId", table: "Lines");
                migrationBuilder.AddColumn<int>(name: "Rank", table: "Customers", type: "integer", nullable: true);
                migrationBuilder.CreateIndex(name: "IX_Orders_Rank", table: "Orders", column: "Rank");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id");
        """));

    [Fact]
    public Task Long_step_on_a_table_created_in_the_same_migration_is_not_flagged() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        Name = table.Column<string>(type: "text", nullable: true)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Tags", x => x.Id);
                    });
                migrationBuilder.AddColumn<int>(name: "Rank", table: "Tags", type: "integer", nullable: true);
                migrationBuilder.CreateIndex(name: "IX_Tags_Rank", table: "Tags", column: "Rank");
        """));

    [Fact]
    public Task Concurrent_index_builds_after_a_drop_run_outside_the_transaction_and_end_it() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.DropForeignKey(name: "FK_Orders_Users_UserId", table: "Orders");
                migrationBuilder.CreateIndex(name: "IX_Orders_UserId", table: "Orders", column: "UserId")
                    .Annotation("Npgsql:CreatedConcurrently", true);
                migrationBuilder.AddColumn<int>(name: "Rank", table: "Orders", type: "integer", nullable: true);
                migrationBuilder.CreateIndexConcurrently(table: "Orders", name: "IX_Orders_Rank", columns: new[] { "Rank" });
                migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id");
        """));

    [Fact]
    public Task Brief_step_after_the_long_step_is_not_flagged() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.CreateIndex(name: "IX_Orders_Rank", table: "Orders", column: "Rank");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id");
                migrationBuilder.DropForeignKey(name: "FK_Orders_Users_Old", table: "Orders");
                migrationBuilder.AddColumn<int>(name: "Rank2", table: "Orders", type: "integer", nullable: true);
        """));

    [Fact]
    public Task Steps_separated_by_a_suppressed_call_or_a_commit_in_the_sql_text_are_not_flagged() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.DropForeignKey(name: "FK_Orders_Users_UserId", table: "Orders");
                migrationBuilder.Sql("DO 'BEGIN END'", suppressTransaction: true);
                migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id");
                migrationBuilder.Sql("COMMIT; BEGIN;");
                migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");
        """));

    // SM0001 and SM0008 already say reads wait too (combined-impact clause), and their fixes end the shared transaction.
    [Fact]
    public Task Scaffolded_new_foreign_key_column_is_left_to_the_index_and_foreign_key_rules() =>
        Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.AddColumn<int>(name: "StoreId", table: "Orders", type: "integer", nullable: true);
                migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                migrationBuilder.CreateIndex(name: "IX_Orders_StoreId", table: "Orders", column: "StoreId");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id");
        """));

    [Fact]
    public Task Long_step_on_a_small_table_is_not_flagged() =>
        Verify.VerifyAnalyzerAsync(
            Migration("""
                migrationBuilder.DropCheckConstraint(name: "CK_Countries_Rank", table: "Countries");
                migrationBuilder.CreateIndex(name: "IX_Countries_Rank", table: "Countries", column: "Rank");
        """),
            "safe_migrations.small_tables = Countries");
}
