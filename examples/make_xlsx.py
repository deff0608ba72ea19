"""Rebuilds examples/surveys/nps-2026.xlsx (synthetic data) from the rows below.

Run from the repository root with the project's Python (needs openpyxl):

    .venv/bin/python examples/make_xlsx.py

The spreadsheet is the November 2026 export of the same NPS survey as
surveys/nps-2026.csv, but with Spanish column headers and real Excel date cells.
"""
import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HEADER = ['Correo', 'ID cliente', 'Fecha', '¿Recomendaría Luna Hogar? (0-10)', 'Satisfacción (1-5)', 'Esfuerzo (1-7)', 'Comentario', 'Punto de contacto']

# (correo, id_cliente, fecha "YYYY-MM-DD HH:MM", nps, satisfaccion, esfuerzo, comentario, punto_de_contacto)
ROWS = [
    ('miguelangel.torres@gmail.example', '', '2026-11-02 10:30', 10, 5, 7, 'Los de la instalación del lavavajillas, un 10.', 'instalación'),
    ('', 'C036', '2026-11-03 18:02', 8, 4, 5, 'El purificador AirPure llegó en 3 días, muy silencioso. Lo quería en gris pero bueno.', 'web'),
    ('ramon.aguilar@gmail.example', '', '2026-11-03 18:42', 4, 1, 1, '', 'entrega'),
    ('sergio.navas@hotmail.example', '', '2026-11-04 08:47', 0, 1, 1, 'RAPIDTRANS NO VINO. Otra vez. Tercer dia sin frigorifico', 'entrega'),
    ('rosa.martinez@gmail.example', 'C051', '2026-11-04 10:08', 9, 4, 6, 'Me atendió Marta, muy amable y me lo solucionó en una llamada.', 'atención telefónica'),
    ('pilar.mendez@correo.example', 'C009', '2026-11-04 21:07', 4, 1, 2, '', 'instalación'),
    ('pilar.mendez@correo.example', '', '2026-11-04 21:45', 10, 4, 6, 'muy buena atencion, volvere', 'tienda'),
    ('', 'C018', '2026-11-05 13:09', 9, 5, 7, 'todo ok', 'web'),
    ('cristina.vazquez@hotmail.example', '', '2026-11-05 13:36', 2, 1, 3, '', 'tienda'),
    ('', '', '2026-11-05 19:19', 3, 2, 2, 'El transportista no vino y nadie me avisó', 'entrega'),
    ('claire.donovan@gmail.example', 'C045', '2026-11-05 20:40', 1, 2, 2, 'Please stop using RapidTrans. Third late delivery in Madrid this year.', 'delivery'),
    ('elena.castro@gmail.example', 'C038', '2026-11-06 12:15', 2, 2, 2, 'Me fui de viaje sin la tele. Envío express de risa.', 'entrega'),
    ('charlotte.evans@gmail.example', 'C025', '2026-11-06 15:46', 3, 1, 2, 'Waited in all day for nothing. Twice.', 'delivery'),
    ('ana.ruiz@gmail.example', '', '2026-11-06 21:32', 0, 1, 2, 'pague envio express y tardo una semana. nunca mas', 'entrega'),
    ('ramon.aguilar@gmail.example', 'C044', '2026-11-06 21:40', 4, 2, 3, 'La cafetera CafeMatic pierde agua a los 4 meses. Me interesa el AirPure pero después de esto no sé.', 'tienda'),
    ('', 'C015', '2026-11-08 09:23', 3, 2, 3, '', 'instalación'),
    ('charlotte.evans@gmail.example', 'C025', '2026-11-08 11:11', 9, 5, 6, 'The RoboClean X2 is brilliant with two cats in the house.', 'store'),
    ('isabel.fuentes@gmail.example', 'C012', '2026-11-09 15:27', 4, 2, 2, '', 'tienda'),
    ('adrian.cortes@gmail.example', '', '2026-11-09 16:27', 7, 4, 5, '¿Cuándo baja de precio el AirPure 500? Lo tengo en la lista de deseos.', 'web'),
    ('lorenzo.castano@hotmail.example', '', '2026-11-09 19:51', 4, 1, 2, '', 'entrega'),
    ('dan.whitaker@gmail.example', '', '2026-11-09 22:25', 7, 4, 4, 'Delivery arrived 3 days late but the driver was nice and carried it upstairs.', 'delivery'),
    ('alberto.sanz@gmail.example', 'C003', '2026-11-10 08:40', 9, 5, 5, 'todo ok', 'web'),
    ('mark.davies@outlook.example', '', '2026-11-10 09:03', 1, 1, 1, 'Two missed deliveries for a gift to my elderly mother. Still no reply to my email.', 'delivery'),
    ('', 'C032', '2026-11-10 10:40', 8, 5, 7, 'Resolvieron mi duda sobre la Garantía Plus rápido.', 'atención telefónica'),
    ('sergio.navas@hotmail.example', '', '2026-11-11 16:05', 9, 5, 7, '', 'instalación'),
    ('cristina.vazquez@hotmail.example', '', '2026-11-11 18:14', 10, 5, 6, '', 'web'),
    ('rebecca.lawson@gmail.example', '', '2026-11-11 19:36', 10, 2, 3, 'Express delivery was 2 days late and nobody called.', 'delivery'),
    ('antonio.vidal@yahoo.example', '', '2026-11-11 21:05', 8, 5, 5, 'Me cobraron bien y rápido, nada que objetar.', 'tienda'),
    ('ines.calvo@hotmail.example', 'C049', '2026-11-12 14:44', 9, 5, 6, 'Compré el AirPure 500 por teléfono, Marta me explicó todo muy bien. Lo pedí con envío normal por si acaso 😅', 'atención telefónica'),
    ('karen.holloway@yahoo.example', '', '2026-11-13 20:20', 9, 4, 6, 'Booking the installation was easy, Tom was great. Please offer Saturday slots though!', 'phone support'),
    ('', 'C022', '2026-11-14 10:05', 5, 3, 3, 'Por fin me devolvieron el cargo duplicado, un mes después.', 'atención telefónica'),
    ('rjimenez.trabajo@correo.example', '', '2026-11-14 11:44', 0, 2, 3, 'El transportista dice que vino, mi portero dice que no.', 'entrega'),
    ('sarah.mitchell@outlook.example', '', '2026-11-14 23:18', 9, 4, 7, '', 'installation'),
    ('sergio.navas@hotmail.example', 'C041', '2026-11-15 08:07', 3, 2, 1, 'Cambiad de transportista por favor. RapidTrans es lo peor', 'entrega'),
    ('sophie.walsh@outlook.example', '', '2026-11-15 13:58', 2, 2, 2, 'Express delivery to Mijas arrived 3 days late. RapidTrans again.', 'delivery'),
    ('elena.castro@gmail.example', 'C038', '2026-11-15 23:03', 7, 3, 4, 'Bien, aunque la franja de entrega es muy amplia.', 'entrega'),
    ('', '', '2026-11-16 11:52', 8, 4, 5, '', 'installation'),
    ('', 'C028', '2026-11-17 22:12', 3, 2, 3, 'Envío express: 4 días. RapidTrans no avisó.', 'entrega'),
    ('lola.prieto@hotmail.example', '', '2026-11-18 09:30', 3, 2, 2, 'Mandé el cambio de dirección en septiembre y aun así enviaron el pedido a mi casa antigua.', 'entrega'),
    ('carmen.delgado@hotmail.example', 'C002', '2026-11-18 13:38', 7, 3, 5, '', 'instalación'),
    ('', 'C007', '2026-11-18 20:22', 10, 5, 6, '', 'store'),
    ('antonio.vidal@yahoo.example', '', '2026-11-19 08:26', 2, 2, 3, 'Express que no sale del almacén. Lo dicho.', 'entrega'),
    ('sophie.walsh@outlook.example', 'C059', '2026-11-19 17:14', 2, 1, 3, "Courier marked it as delivered, it wasn't. Took 3 calls to sort out.", 'delivery'),
    ('peter.lindqvist@gmail.example', '', '2026-11-19 17:45', 8, 4, 5, 'Still waiting for the AirPure 500 to come back in stock on the website. Happy otherwise.', 'web'),
    ('', 'C056', '2026-11-19 20:02', 9, 5, 6, 'Entrega puntual y los repartidores muy amables.', 'entrega'),
    ('nuria.pascual@hotmail.example', '', '2026-11-19 22:12', 1, 2, 2, '', 'entrega'),
]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Respuestas"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for correo, cid, fecha, nps, sat, esf, comentario, punto in ROWS:
        ws.append([correo or None, cid or None, dt.datetime.strptime(fecha, "%Y-%m-%d %H:%M"),
                   nps, sat, esf, comentario or None, punto])
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "dd/mm/yyyy hh:mm"
    for col, width in zip("ABCDEFGH", (34, 11, 17, 14, 12, 10, 90, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    # Fixed workbook timestamps so that rebuilding gives the same content.
    wb.properties.creator = "Encuestas Luna Hogar"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 11, 20, 9, 0)
    out = Path(__file__).resolve().parent / "surveys" / "nps-2026.xlsx"
    wb.save(out)
    print(f"wrote {out} ({len(ROWS)} rows)")


if __name__ == "__main__":
    main()
