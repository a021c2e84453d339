using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.RedundantAlterColumnAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>SM0018 over multi-file histories: the earlier migrations and Designer files say what the column already is.</summary>
public class SM0018RedundantAlterColumnTests
{
    /// <summary>The target model after <see cref="HistorySource.CreateOrders"/>.</summary>
    internal static readonly string OrdersModel = Entity(
        "Order",
        "Orders",
        "b.Property<long>(\"Id\").HasColumnType(\"bigint\")",
        "b.Property<string>(\"Status\").IsRequired().HasColumnType(\"text\")",
        "b.Property<string>(\"Note\").HasColumnType(\"text\")",
        "b.Property<string>(\"Code\").HasColumnType(\"text\")");

    private const string StaleNotNull = """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true)
        """;

    [Fact]
    public async Task Nullable_false_on_a_column_already_not_null_is_redundant_with_message()
    {
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0018").WithLocation(0)
                    .WithArguments("Status", "Orders", "text NOT NULL", "ALTER COLUMN ... TYPE and SET NOT NULL (no scan: the column is already NOT NULL)"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101000000_Initial.Designer.cs", Designer("20240101000000_Initial", OrdersModel)),
            ("20240102000000_RequireStatus.cs", Migration("20240102000000_RequireStatus", "{|#0:" + StaleNotNull.Trim() + "|};")),
            ("20240102000000_RequireStatus.Designer.cs", Designer("20240102000000_RequireStatus", OrdersModel)));
    }

    [Fact]
    public async Task Default_filling_restatement_names_the_update_scan()
    {
        var create = CreateOrders.Replace("Status = table.Column<string>(type: \"text\", nullable: false)", "Status = table.Column<string>(type: \"text\", nullable: false, defaultValue: \"\")");
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0018").WithLocation(0)
                    .WithArguments("Status", "Orders", "text NOT NULL DEFAULT ''", "an UPDATE ... WHERE \"Status\" IS NULL that scans all of 'Orders', then ALTER COLUMN ... SET NOT NULL"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", create)),
            ("20240102000000_RequireStatus.cs", Migration("20240102000000_RequireStatus", """
                {|#0:migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
        """)));
    }

    [Fact]
    public async Task A_column_made_not_null_by_an_earlier_raw_statement_is_known()
    {
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101500000_NoteNotNull.cs", Migration("20240101500000_NoteNotNull", """
                migrationBuilder.Sql("ALTER TABLE \"Orders\" ALTER COLUMN \"Note\" SET NOT NULL;");
        """)),
            ("20240102000000_RequireNote.cs", Migration("20240102000000_RequireNote", """
                {|SM0018:migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
        """)));
    }

    [Fact]
    public async Task Safe_steps_and_raw_statements_of_earlier_migrations_are_replayed()
    {
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101500000_Steps.cs", Migration("20240101500000_Steps", """
                migrationBuilder.SetNotNullThroughCheck(column: "Code", table: "Orders");
                migrationBuilder.Sql("ALTER TABLE \"Orders\" ALTER COLUMN \"Status\" DROP NOT NULL;");
        """)),
            ("20240102000000_Require.cs", Migration("20240102000000_Require", """
                {|SM0018:migrationBuilder.AlterColumn<string>(name: "Code", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
                // Nullable again since the raw DROP NOT NULL: a real change.
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """)));
    }

    [Fact]
    public async Task Real_changes_and_unsure_histories_are_not_flagged()
    {
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101000000_Initial.Designer.cs", Designer("20240101000000_Initial", OrdersModel)),
            ("20240102000000_Changes.cs", Migration("20240102000000_Changes", """
                // Really nullable before: a real change (SM0006's business).
                migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
                // Restates everything without claiming a change (EF does so for annotation changes): left alone.
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text");
                // A default is added: not redundant.
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "x", oldClrType: typeof(string), oldType: "text", oldNullable: true);
                // A comment changes: not redundant.
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, comment: "c", oldClrType: typeof(string), oldType: "text", oldNullable: true);
                // A table no migration created: unknown.
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Legacy", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """)));
    }

    [Fact]
    public async Task Disagreeing_designer_or_unreadable_sql_falls_back()
    {
        var nullableStatusModel = OrdersModel.Replace("b.Property<string>(\"Status\").IsRequired()", "b.Property<string>(\"Status\")");
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101000000_Initial.Designer.cs", Designer("20240101000000_Initial", nullableStatusModel)),
            ("20240102000000_RequireStatus.cs", Migration("20240102000000_RequireStatus", StaleNotNull + ";")));

        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders + """

                migrationBuilder.Sql(System.IO.File.ReadAllText("fix.sql"));
        """)),
            ("20240102000000_RequireStatus.cs", Migration("20240102000000_RequireStatus", StaleNotNull + ";")));
    }

    [Fact]
    public async Task History_follows_renames_and_id_order_not_file_order()
    {
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            // The later migration comes first in the project: ids order them.
            ("A_RequireState.cs", Migration("20240103000000_RequireState", """
                {|SM0018:migrationBuilder.AlterColumn<string>(name: "State", table: "Purchases", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
        """)),
            ("B_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("C_Renames.cs", Migration("20240102000000_Renames", """
                migrationBuilder.RenameTable(name: "Orders", newName: "Purchases");
                migrationBuilder.RenameColumn(name: "Status", table: "Purchases", newName: "State");
        """)));
    }

    [Fact]
    public async Task Step_inside_a_helper_method_makes_the_history_unsure()
    {
        var helper = Migration("20240101500000_Helper", """
                Relax(migrationBuilder);
        """).Replace("        protected override void Down", """
                private static void Relax(MigrationBuilder b) => b.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");

                protected override void Down
        """);
        await VerifyAsync<RedundantAlterColumnAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240101500000_Helper.cs", helper),
            ("20240102000000_RequireStatus.cs", Migration("20240102000000_RequireStatus", StaleNotNull + ";")));
    }
}
