using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AddUniqueOrPrimaryKeyUnderLockFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0010AddUniqueOrPrimaryKeyUnderLockFixerTests
{
    private const string Expand = "// Expand: build the unique index concurrently (outside the transaction), then attach it as the constraint: a brief lock, no build under it.";

    [Fact]
    public Task AddUniqueConstraint_becomes_AddUniqueConstraintUsingIndex() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0010:migrationBuilder.AddUniqueConstraint(
                            name: "AK_Products_Sku",
                            table: "Products",
                            column: "Sku")|};
            """,
                down: """
                        migrationBuilder.DropUniqueConstraint(
                            name: "AK_Products_Sku",
                            table: "Products");
            """),
            Migration(
                up: $$"""
                        {{Expand}}
                        migrationBuilder.AddUniqueConstraintUsingIndex(
                            name: "AK_Products_Sku",
                            table: "Products",
                            column: "Sku");
            """,
                down: """
                        migrationBuilder.DropUniqueConstraint(
                            name: "AK_Products_Sku",
                            table: "Products");
            """));

    [Fact]
    public Task AddPrimaryKey_after_an_EF_table_rename_is_built_concurrently_on_the_new_name() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.DropPrimaryKey(
                            name: "PK_Event",
                            table: "Event");

            #pragma warning disable SM0012 // the table rename is another rule's fix
                        migrationBuilder.RenameTable(
                            name: "Event",
                            newName: "Events");
            #pragma warning restore SM0012

                        {|SM0010:migrationBuilder.AddPrimaryKey(
                            name: "PK_Events",
                            table: "Events",
                            columns: new[] { "Id", "TenantId" })|};
            """),
            Migration(up: $$"""
                        migrationBuilder.DropPrimaryKey(
                            name: "PK_Event",
                            table: "Event");

            #pragma warning disable SM0012 // the table rename is another rule's fix
                        migrationBuilder.RenameTable(
                            name: "Event",
                            newName: "Events");
            #pragma warning restore SM0012

                        {{Expand}}
                        migrationBuilder.AddPrimaryKeyUsingIndex(
                            name: "PK_Events",
                            table: "Events",
                            columns: new[] { "Id", "TenantId" });
            """));

    [Fact]
    public Task Raw_unique_and_primary_key_are_taken_out_of_the_statement_and_attached_using_an_index() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0010:{|SM0010:"ALTER TABLE sales.users ADD CONSTRAINT uq_users_handle UNIQUE (handle), ALTER COLUMN handle SET DEFAULT '', ADD PRIMARY KEY (id); UPDATE sales.users SET handle = 'x' WHERE id = 1;"|}|});
            """),
            Migration(up: $$"""
                        migrationBuilder.Sql("ALTER TABLE sales.users ALTER COLUMN handle SET DEFAULT '';");
                        {{Expand}}
                        migrationBuilder.AddUniqueConstraintUsingIndex(name: "uq_users_handle", table: "users", column: "handle", schema: "sales");
                        migrationBuilder.AddPrimaryKeyUsingIndex(name: "users_pkey", table: "users", column: "id", schema: "sales");
                        migrationBuilder.Sql("UPDATE sales.users SET handle = 'x' WHERE id = 1;");
            """));

    [Fact]
    public Task Inline_unique_on_add_column_is_added_after_the_column() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0010:"ALTER TABLE users ADD COLUMN code text UNIQUE;"|});
            """),
            Migration(up: $$"""
                        migrationBuilder.Sql("ALTER TABLE users ADD COLUMN code text;");
                        {{Expand}}
                        migrationBuilder.AddUniqueConstraintUsingIndex(name: "users_code_key", table: "users", column: "code");
            """));

    [Fact]
    public Task Exclusion_constraint_has_no_index_first_form_and_is_acknowledged() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0010:"ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);"|});
            """),
            Migration(up: """
                        // No online form: an exclusion constraint cannot be attached to a prebuilt index; it builds its index under ACCESS EXCLUSIVE.
                        #pragma warning disable SM0010 // runs under its lock: schedule it in a maintenance window
                        migrationBuilder.Sql("ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);");
                        #pragma warning restore SM0010
            """));
}
