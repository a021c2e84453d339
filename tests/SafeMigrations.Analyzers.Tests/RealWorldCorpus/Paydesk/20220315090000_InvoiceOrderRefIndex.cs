using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using Paydesk.Data;

#nullable disable

namespace Paydesk.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(PaydeskDbContext))]
    [Migration("20220315090000_InvoiceOrderRefIndex")]
    public partial class InvoiceOrderRefIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            if (migrationBuilder.IsNpgsql())
            {
                migrationBuilder.AlterColumn<string>(
                    name: "OrderRef",
                    table: "Invoices",
                    maxLength: 100,
                    nullable: true,
                    oldClrType: typeof(string),
                    oldNullable: true);
            }

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_OrderRef",
                table: "Invoices",
                column: "OrderRef");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Invoices_OrderRef",
                table: "Invoices");
        }
    }
}
