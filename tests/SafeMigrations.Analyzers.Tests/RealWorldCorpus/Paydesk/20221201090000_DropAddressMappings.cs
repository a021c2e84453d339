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
    [Migration("20221201090000_DropAddressMappings")]
    public partial class DropAddressMappings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AddressMappings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
