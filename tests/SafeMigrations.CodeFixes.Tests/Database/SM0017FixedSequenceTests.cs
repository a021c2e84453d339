using System.Threading.Tasks;
using SafeMigrations.Testing;

namespace SafeMigrations.CodeFixes.Tests.Database;

/// <summary>The separations of SM0017 reach the original's end state under plain EF, and the commit really ends the transaction.</summary>
[Collection(PostgresCollection.Name)]
public class SM0017FixedSequenceTests
{
    private const string UsersAndOrders = """
        CREATE TABLE "Users" ("Id" bigint PRIMARY KEY);
        CREATE TABLE "Orders" ("Id" bigint PRIMARY KEY, "UserId" bigint NOT NULL, "Total" int NOT NULL,
            CONSTRAINT "FK_Orders_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE,
            CONSTRAINT "CK_Orders_Legacy" CHECK ("Total" > -100));
        ALTER TABLE "Orders" ADD CONSTRAINT "CK_Orders_Total" CHECK ("Total" >= 0) NOT VALID;
        INSERT INTO "Users" SELECT g FROM generate_series(1, 100) g;
        INSERT INTO "Orders" SELECT g, 1 + g % 100, g FROM generate_series(1, 2000) g;
        """;

    private const string DropAndReAdd = """
        migrationBuilder.DropForeignKey(name: "FK_Orders_Users_UserId", table: "Orders");
        migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
        """;

    private const string DropCommitReAdd = """
        migrationBuilder.DropForeignKey(name: "FK_Orders_Users_UserId", table: "Orders");
        // Commits the migration's transaction here (EF commits before a suppressed command): the locks taken above are not held during the step below.
        migrationBuilder.Sql("DO 'BEGIN END'", suppressTransaction: true);
        migrationBuilder.AddForeignKey(name: "FK_Orders_Users_UserId", table: "Orders", column: "UserId", principalTable: "Users", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
        """;

    private readonly PostgresServerFixture _server;

    public SM0017FixedSequenceTests(PostgresServerFixture server) => _server = server;

    [Fact]
    public Task A_commit_between_the_drop_and_the_re_added_foreign_key_reaches_the_same_end_state() =>
        FixedSequence.AssertSameEndStateAsync(_server, UsersAndOrders, DropAndReAdd, DropCommitReAdd, """SELECT * FROM "Orders" ORDER BY "Id" """);

    [Fact]
    public Task A_drop_moved_after_the_validation_reaches_the_same_end_state() =>
        FixedSequence.AssertSameEndStateAsync(
            _server,
            UsersAndOrders,
            """
            migrationBuilder.DropCheckConstraint(name: "CK_Orders_Legacy", table: "Orders");
            migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");
            """,
            """
            migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Total\";");
            migrationBuilder.DropCheckConstraint(name: "CK_Orders_Legacy", table: "Orders");
            """);

    [Fact]
    public async Task The_suppressed_no_op_commits_the_drop_before_the_validation_runs()
    {
        // An orphan row makes the validation fail: what the failure leaves shows where the transaction ended.
        const string WithOrphan = UsersAndOrders + """
            ALTER TABLE "Orders" DROP CONSTRAINT "FK_Orders_Users_UserId";
            INSERT INTO "Orders" VALUES (9999, 424242, 1);
            ALTER TABLE "Orders" ADD CONSTRAINT "FK_Orders_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") NOT VALID;
            """;
        const string ForeignKeys = """SELECT count(*) FROM pg_constraint WHERE conname = 'FK_Orders_Users_UserId'""";

        await using (var original = await _server.CreateDatabaseAsync())
        {
            await original.ExecuteAsync(WithOrphan);
            await Assert.ThrowsAnyAsync<System.Exception>(() => FixedSequence.MigrateAsync(original, DropAndReAdd));
            Assert.Equal(1L, await original.ScalarAsync<long>(ForeignKeys));
        }

        await using var separated = await _server.CreateDatabaseAsync();
        await separated.ExecuteAsync(WithOrphan);
        await Assert.ThrowsAnyAsync<System.Exception>(() => FixedSequence.MigrateAsync(separated, DropCommitReAdd));
        Assert.Equal(0L, await separated.ScalarAsync<long>(ForeignKeys));
    }
}
