using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Paydesk.Data;

#nullable disable

namespace Paydesk.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(PaydeskDbContext))]
    [Migration("20220601090000_InvoiceSearchTrigram")]
    public partial class InvoiceSearchTrigram : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Invoices",
                type: "text",
                nullable: true);

            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS \"IX_Invoices_SearchText\" ON \"Invoices\" USING gin (\"SearchText\" gin_trgm_ops);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_Invoices_SearchText\";");
            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "Invoices");
        }
    }
}
