using System.Collections.Generic;
using System.IO;

namespace SafeMigrations.Package.Tests;

/// <summary>The throwaway EF Core project that installs the package, as a user would.</summary>
internal static class ConsumerProject
{
    public const string UnsafeMigrationFile = "Migrations/20240201000000_AddOrderCustomerIndex.cs";
    public const string UnsafeCall = "migrationBuilder.CreateIndex(";

    public static readonly IReadOnlyList<string> SafeMigrationFiles = new[]
    {
        "Migrations/20240101000000_InitialCreate.cs",
        "Migrations/20240301000000_AddCustomers.cs",
    };

    public const string ForeignKeyMigrationFile = "Migrations/20240315000000_AddOrderCustomerForeignKey.cs";

    /// <summary>Every migration id, in order: what <c>__EFMigrationsHistory</c> holds after a full deploy.</summary>
    public static readonly IReadOnlyList<string> MigrationIds = new[]
    {
        "20240101000000_InitialCreate",
        "20240201000000_AddOrderCustomerIndex",
        "20240301000000_AddCustomers",
        "20240315000000_AddOrderCustomerForeignKey",
        "20240401000000_DropLegacyColumns",
        "20240501000000_DropOldOrders",
    };

    public const string ContractMigrationFile = "Migrations/20240401000000_DropLegacyColumns.cs";
    public const string ContractClassMigrationFile = "Migrations/20240501000000_DropOldOrders.cs";

    public static void WriteTo(string directory, string packageSource, string packageVersion, string fallbackPackagesFolder)
    {
        var npgsqlEf = RepositoryLayout.BuildProperty("NpgsqlEfVersion");
        Write(directory, "Consumer.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="{npgsqlEf}" />
                <PackageReference Include="SafeMigrations" Version="{packageVersion}" />
              </ItemGroup>
            </Project>
            """);

        // Stop MSBuild and NuGet from picking up anything above the temp folder.
        Write(directory, "Directory.Build.props", "<Project />");
        Write(directory, "Directory.Build.targets", "<Project />");
        Write(directory, "Directory.Packages.props", "<Project />");
        // The machine's package cache serves EF Core and Npgsql read-only; SafeMigrations itself is only in the local folder.
        var fallback = Directory.Exists(fallbackPackagesFolder) ? $"    <add key=\"machine\" value=\"{fallbackPackagesFolder}\" />" : "";
        Write(directory, "nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packageSource}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <clear />
              </packageSourceMapping>
              <fallbackPackageFolders>
                <clear />
            {fallback}
              </fallbackPackageFolders>
            </configuration>
            """);

        Write(directory, "ShopContext.cs", """
            using Microsoft.EntityFrameworkCore;

            namespace Consumer;

            public class ShopContext : DbContext
            {
                public ShopContext(DbContextOptions<ShopContext> options) : base(options) { }

                public DbSet<Order> Orders => Set<Order>();
                public DbSet<Customer> Customers => Set<Customer>();
            }

            public class Order
            {
                public long Id { get; set; }
                public long CustomerId { get; set; }
                public string? Note { get; set; }
            }

            public class Customer
            {
                public long Id { get; set; }
                public string Email { get; set; } = "";
            }
            """);

        Write(directory, SafeMigrationFiles[0], """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("20240101000000_InitialCreate")]
                public partial class InitialCreate : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.CreateTable(
                            name: "Orders",
                            columns: table => new
                            {
                                Id = table.Column<long>(type: "bigint", nullable: false),
                                CustomerId = table.Column<long>(type: "bigint", nullable: false),
                                LegacyCode = table.Column<string>(type: "text", nullable: true)
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_Orders", x => x.Id);
                            });

                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_Id_CustomerId",
                            table: "Orders",
                            columns: new[] { "Id", "CustomerId" });

                        migrationBuilder.CreateTable(
                            name: "OldOrders",
                            columns: table => new
                            {
                                Id = table.Column<long>(type: "bigint", nullable: false)
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_OldOrders", x => x.Id);
                            });
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropTable(
                            name: "OldOrders");

                        migrationBuilder.DropTable(
                            name: "Orders");
                    }
                }
            }
            """);

        Write(directory, UnsafeMigrationFile, """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("20240201000000_AddOrderCustomerIndex")]
                public partial class AddOrderCustomerIndex : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId");
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders");
                    }
                }
            }
            """);

        Write(directory, SafeMigrationFiles[1], """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("20240301000000_AddCustomers")]
                public partial class AddCustomers : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.AddColumn<string>(
                            name: "Note",
                            table: "Orders",
                            type: "text",
                            nullable: true);

                        migrationBuilder.CreateTable(
                            name: "Customers",
                            columns: table => new
                            {
                                Id = table.Column<long>(type: "bigint", nullable: false),
                                Email = table.Column<string>(type: "text", nullable: false)
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_Customers", x => x.Id);
                            });

                        // A new table is empty: indexing it in the same migration locks nothing that matters.
                        migrationBuilder.CreateIndex(
                            name: "IX_Customers_Email",
                            table: "Customers",
                            column: "Email",
                            unique: true);
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropTable(
                            name: "Customers");

                        migrationBuilder.DropColumn(
                            name: "Note",
                            table: "Orders");
                    }
                }
            }
            """);

        // Scaffold-style foreign key on two existing tables: SM0008 at build time, NOT VALID + VALIDATE when deployed.
        Write(directory, ForeignKeyMigrationFile, """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("20240315000000_AddOrderCustomerForeignKey")]
                public partial class AddOrderCustomerForeignKey : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.AddForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders",
                            column: "CustomerId",
                            principalTable: "Customers",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Cascade);
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders");
                    }
                }
            }
            """);

        // Uses the runtime library from lib/: proves it compiles in the consumer, and that the analyzers honour the marks.
        Write(directory, ContractMigrationFile, """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;
            using SafeMigrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("20240401000000_DropLegacyColumns")]
                public partial class DropLegacyColumns : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropColumn(
                            name: "LegacyCode",
                            table: "Orders")
                            .InContractPhase();
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.AddColumn<string>(
                            name: "LegacyCode",
                            table: "Orders",
                            type: "text",
                            nullable: true);
                    }
                }
            }
            """);

        Write(directory, ContractClassMigrationFile, """
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;
            using SafeMigrations;

            #nullable disable

            namespace Consumer.Migrations
            {
                [ContractPhase]
                [DbContext(typeof(ShopContext))]
                [Migration("20240501000000_DropOldOrders")]
                public partial class DropOldOrders : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        migrationBuilder.DropTable(
                            name: "OldOrders");
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                    }
                }
            }
            """);
    }

    private static void Write(string directory, string relativePath, string content)
    {
        var path = Path.Combine(directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.Replace("\r\n", "\n", System.StringComparison.Ordinal) + "\n");
    }
}
