using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AddRequiredColumnWithoutDefaultFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0005AddRequiredColumnWithoutDefaultFixerTests
{
    [Fact]
    public Task String_column_gets_an_empty_string_default() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0005:migrationBuilder.AddColumn<string>(
                            name: "Country",
                            table: "Customers",
                            type: "text",
                            nullable: false)|};
            """", down: """"
                        migrationBuilder.DropColumn(
                            name: "Country",
                            table: "Customers");
            """"),
            Migration(up: """"
                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.AddColumn<string>(
                            name: "Country",
                            table: "Customers",
                            type: "text",
                            nullable: false,
                            defaultValue: "");
            """", down: """"
                        migrationBuilder.DropColumn(
                            name: "Country",
                            table: "Customers");
            """"));

    [Fact]
    public Task Value_types_get_their_EF_zero_literal_and_omitted_nullable_counts_as_required() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0005:migrationBuilder.AddColumn<long>(
                            name: "Points",
                            table: "Customers",
                            type: "bigint")|};

                        {|SM0005:migrationBuilder.AddColumn<DateTime>(
                            name: "JoinedAt",
                            table: "Customers",
                            type: "timestamp with time zone",
                            nullable: false)|};

                        {|SM0005:migrationBuilder.AddColumn<Guid>(
                            name: "Token",
                            table: "Customers",
                            type: "uuid",
                            nullable: false,
                            defaultValueSql: null)|};
            """"),
            Migration(up: """"
                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.AddColumn<long>(
                            name: "Points",
                            table: "Customers",
                            type: "bigint",
                            defaultValue: 0L);

                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.AddColumn<DateTime>(
                            name: "JoinedAt",
                            table: "Customers",
                            type: "timestamp with time zone",
                            nullable: false,
                            defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc));

                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.AddColumn<Guid>(
                            name: "Token",
                            table: "Customers",
                            type: "uuid",
                            nullable: false,
                            defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));
            """"));

    [Fact]
    public Task Unknown_clr_type_uses_the_store_type_and_an_unknown_one_is_added_nullable() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0005:migrationBuilder.AddColumn<object>(
                            name: "Settings",
                            table: "Customers",
                            type: "jsonb",
                            nullable: false)|};

                        {|SM0005:migrationBuilder.AddColumn<object>(
                            name: "Area",
                            table: "Customers",
                            type: "geometry",
                            nullable: false)|};
            """"),
            Migration(up: """"
                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.AddColumn<object>(
                            name: "Settings",
                            table: "Customers",
                            type: "jsonb",
                            nullable: false,
                            defaultValueSql: "'{}'");

                        // Expand: added nullable, because no default could be derived from the column's type.
                        migrationBuilder.AddColumn<object>(
                            name: "Area",
                            table: "Customers",
                            type: "geometry",
                            nullable: true);
                        // Backfill: give existing rows a value, then enforce NOT NULL (replace <value> with a SQL expression):
                        // migrationBuilder.Backfill(table: "Customers", column: "Area", value: "<value>", where: @"""Area"" IS NULL");
                        // migrationBuilder.SetNotNullThroughCheck(column: "Area", table: "Customers");
            """"));

    [Fact]
    public Task Raw_add_column_gets_a_constant_default_and_other_actions_stay() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0005:{|SM0005:"ALTER TABLE customers ADD COLUMN country varchar(2) NOT NULL, ADD COLUMN note text, ADD COLUMN active boolean DEFAULT NULL NOT NULL;"|}|});
            """"),
            Migration(up: """"
                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.Sql("ALTER TABLE customers ADD COLUMN country varchar(2) NOT NULL DEFAULT '';");
                        migrationBuilder.Sql("ALTER TABLE customers ADD COLUMN note text;");
                        // Expand: a constant default gives existing rows a value without rewriting the table (review the value).
                        migrationBuilder.Sql("ALTER TABLE customers ADD COLUMN active boolean NOT NULL DEFAULT false;");
            """"));

    [Fact]
    public Task Raw_add_column_of_unknown_type_is_added_nullable() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0005:@"ALTER TABLE ""Customers"" ADD ""Area"" geometry NOT NULL;"|});
            """"),
            Migration(up: """"
                        // Expand: added nullable, because no default could be derived from the column's type.
                        migrationBuilder.Sql(@"ALTER TABLE ""Customers"" ADD ""Area"" geometry;");
                        // Backfill: give existing rows a value, then enforce NOT NULL (replace <value> with a SQL expression):
                        // migrationBuilder.Backfill(table: "Customers", column: "Area", value: "<value>", where: @"""Area"" IS NULL");
                        // migrationBuilder.SetNotNullThroughCheck(column: "Area", table: "Customers");
            """"));
}
