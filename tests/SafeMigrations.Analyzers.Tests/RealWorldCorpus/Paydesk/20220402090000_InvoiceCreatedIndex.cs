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
    [Migration("20220402090000_InvoiceCreatedIndex")]
    public partial class InvoiceCreatedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Invoices_Created",
                table: "Invoices",
                column: "Created");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Invoices_Created",
                table: "Invoices");
        }
    }
}
