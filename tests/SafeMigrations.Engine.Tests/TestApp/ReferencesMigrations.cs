using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>
    /// Valid foreign keys on columns EF's naming convention does not find ("Client Id", "OwnerRef", a self reference,
    /// a principal in another schema with a unicode name), added to populated tables later with NOT VALID + VALIDATE.
    /// The second migration carries a Designer-style target model; the third has none, so the context's model counts.
    /// </summary>
    public sealed class ReferencesContext : DbContext
    {
        public ReferencesContext(DbContextOptions<ReferencesContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

        protected override void OnModelCreating(ModelBuilder modelBuilder) => ReferencesModel.Build(modelBuilder, withOwner: true);
    }

    /// <summary>The model as a Designer file writes it (string entity names, explicit column names and tables).</summary>
    internal static class ReferencesModel
    {
        public static void Build(ModelBuilder modelBuilder, bool withOwner)
        {
            modelBuilder.Entity("Refs.Client", b =>
            {
                b.Property<long>("Id").HasColumnType("bigint");
                b.HasKey("Id");
                b.ToTable("Clients");
            });
            modelBuilder.Entity("Refs.User", b =>
            {
                b.Property<long>("Id").HasColumnType("bigint");
                b.HasKey("Id");
                b.ToTable("Nutzer Ü", "auth");
            });
            modelBuilder.Entity("Refs.Order", b =>
            {
                b.Property<long>("Id").HasColumnType("bigint");
                b.Property<long>("ClientId").HasColumnType("bigint").HasColumnName("Client Id");
                b.Property<long?>("OwnerRef").HasColumnType("bigint");
                b.Property<long?>("ParentOrderId").HasColumnType("bigint").HasColumnName("Parent Order");
                b.HasKey("Id");
                b.ToTable("Orders", "sales");
                b.HasOne("Refs.Client", null).WithMany().HasForeignKey("ClientId").OnDelete(DeleteBehavior.Cascade).IsRequired();
                b.HasOne("Refs.Order", null).WithMany().HasForeignKey("ParentOrderId");
                if (withOwner)
                    b.HasOne("Refs.User", null).WithMany().HasForeignKey("OwnerRef");
            });
        }
    }

    [DbContext(typeof(ReferencesContext))]
    [Migration("20240401000000_ClientsAndOrders")]
    public partial class ClientsAndOrders : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(name: "sales");
            migrationBuilder.EnsureSchema(name: "auth");
            migrationBuilder.CreateTable(
                name: "Clients",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                },
                constraints: table => table.PrimaryKey("PK_Clients", x => x.Id));
            migrationBuilder.CreateTable(
                name: "Nutzer Ü",
                schema: "auth",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                },
                constraints: table => table.PrimaryKey("PK_Nutzer Ü", x => x.Id));
            migrationBuilder.CreateTable(
                name: "Orders",
                schema: "sales",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ClientId = table.Column<long>(name: "Client Id", type: "bigint", nullable: false),
                    OwnerRef = table.Column<long>(type: "bigint", nullable: true),
                    ParentOrder = table.Column<long>(name: "Parent Order", type: "bigint", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_Orders", x => x.Id));
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(name: "Orders", schema: "sales");
            migrationBuilder.DropTable(name: "Nutzer Ü", schema: "auth");
            migrationBuilder.DropTable(name: "Clients");
        }
    }

    /// <summary>"Client Id" and the self reference, declared by this migration's target model (as its Designer file would).</summary>
    [DbContext(typeof(ReferencesContext))]
    [Migration("20240402000000_OrderClientKeys")]
    public partial class OrderClientKeys : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKeyNotValid(name: "FK_Orders_Clients_Client Id", table: "Orders", schema: "sales", column: "Client Id", principalTable: "Clients", onDelete: ReferentialAction.Cascade);
            migrationBuilder.ValidateConstraint(name: "FK_Orders_Clients_Client Id", table: "Orders", schema: "sales");
            migrationBuilder.AddForeignKeyNotValid(name: "FK_Orders_Orders_Parent Order", table: "Orders", schema: "sales", column: "Parent Order", principalTable: "Orders", principalSchema: "sales");
            migrationBuilder.ValidateConstraint(name: "FK_Orders_Orders_Parent Order", table: "Orders", schema: "sales");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }

        protected override void BuildTargetModel(ModelBuilder modelBuilder) => ReferencesModel.Build(modelBuilder, withOwner: false);
    }

    /// <summary>"OwnerRef" → "auth"."Nutzer Ü": no target model here, so only the context's model declares it.</summary>
    [DbContext(typeof(ReferencesContext))]
    [Migration("20240403000000_OrderOwnerKey")]
    public partial class OrderOwnerKey : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKeyNotValid(name: "FK_Orders_Nutzer_OwnerRef", table: "Orders", schema: "sales", column: "OwnerRef", principalTable: "Nutzer Ü", principalSchema: "auth");
            migrationBuilder.ValidateConstraint(name: "FK_Orders_Nutzer_OwnerRef", table: "Orders", schema: "sales");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
